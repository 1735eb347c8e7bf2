namespace ModelCompress.Onnx;

/// <summary>Options for <see cref="OnnxModel.Save(string, OnnxSaveOptions?)"/>.</summary>
public sealed record OnnxSaveOptions
{
    /// <summary>Inline data above this many bytes cannot be written: protobuf messages are limited to 2 GB.</summary>
    public const long InlineLimitBytes = int.MaxValue - (64L << 20);

    /// <summary>The threshold used when <see cref="ExternalDataThreshold"/> is null and external data is needed.</summary>
    public const long DefaultExternalDataThreshold = 1024;

    /// <summary>
    /// Initializers of at least this many bytes go to the external data file. Null (the default) means automatic:
    /// everything inline, unless the model already uses external data or its weights would pass the 2 GB protobuf
    /// limit, in which case <see cref="DefaultExternalDataThreshold"/> applies. <see cref="long.MaxValue"/> forces inline.
    /// </summary>
    public long? ExternalDataThreshold { get; init; }

    /// <summary>The external data file name, beside the model (default: the model's file name + <c>.data</c>).</summary>
    public string? ExternalDataFileName { get; init; }

    /// <summary>Each tensor in the external data file starts at a multiple of this many bytes (page size, so readers can map it).</summary>
    public int ExternalDataAlignment { get; init; } = 4096;
}
