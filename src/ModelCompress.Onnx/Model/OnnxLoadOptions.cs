namespace ModelCompress.Onnx;

/// <summary>Options for <see cref="OnnxModel.Load(string, OnnxLoadOptions?)"/> and friends.</summary>
public sealed record OnnxLoadOptions
{
    /// <summary>
    /// The folder external data locations are resolved in. Defaults to the model file's folder; required to read
    /// external data of a model loaded from a stream or bytes. Locations may never leave this folder.
    /// </summary>
    public string? BaseDirectory { get; init; }
}
