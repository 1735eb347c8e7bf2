namespace ModelCompress.Benchmarks;

/// <summary>One column of an evaluation table: the fp32 model, one of ours (made by the engine), or one of the peer's.</summary>
/// <param name="Header">The column header.</param>
/// <param name="Path">The .onnx file; null when the variant could not be made.</param>
/// <param name="Unavailable">Why there is no model (engine error, missing peer file); null when there is one.</param>
/// <param name="IsPeer">Whether it is the peer's model (ORT's Python quantizer).</param>
/// <param name="Seconds">How long the engine took to make it (ours only).</param>
/// <param name="Notes">Engine warnings and remarks printed under the table.</param>
internal sealed record EvalVariant(string Header, string? Path, string? Unavailable, bool IsPeer, double? Seconds, IReadOnlyList<string> Notes)
{
    /// <summary>Whether there is a model to evaluate.</summary>
    public bool Available => Path is not null;

    /// <summary>The fp32 reference column.</summary>
    public static EvalVariant Fp32(string path) => new("fp32", path, null, false, null, []);

    /// <summary>A peer model from <paramref name="peerDir"/>, or an unavailable column when the file is missing.</summary>
    public static EvalVariant Peer(string peerDir, string fileName, string header)
    {
        var path = System.IO.Path.Combine(peerDir, fileName);
        return File.Exists(path)
            ? new EvalVariant(header, path, null, true, null, [])
            : new EvalVariant(header, null, $"{fileName} not in the peer folder", true, null, []);
    }
}
