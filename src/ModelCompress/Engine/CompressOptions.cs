namespace ModelCompress.Engine;

/// <summary>
/// Everything besides the recipe that a run needs. Immutable: the build task and the CLI each build one and hand it
/// to <c>ModelCompressEngine</c>, so neither can drift from the other.
/// </summary>
public sealed record CompressOptions
{
    /// <summary>Creates options writing under <paramref name="outputDirectory"/>.</summary>
    public CompressOptions(string outputDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        OutputDirectory = Path.GetFullPath(outputDirectory);
    }

    /// <summary>The folder receiving <c>&lt;model name&gt;.onnx</c> files and <c>report.json</c> (created if missing).</summary>
    public string OutputDirectory { get; }

    /// <summary>The per-layer cache folder; null runs without a cache.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>
    /// A shared store the local cache reads through and uploads to (Azure Blob Storage); null for none. Used only when
    /// <see cref="CacheDirectory"/> is set and the recipe enables the cache.
    /// </summary>
    public Cache.RemoteCacheOptions? RemoteCache { get; init; }

    /// <summary>
    /// Whether an accuracy-gate breach is an error (true) or a warning (false); null follows the recipe's
    /// <c>verify.severity</c> (error by default).
    /// </summary>
    public bool? FailOnRegression { get; init; }

    /// <summary>
    /// Where to write the output manifest (deleted at start, written last on success); null writes none.
    /// </summary>
    public string? ManifestPath { get; init; }

    /// <summary>Where to write the list of input files read (written on success); null writes none.</summary>
    public string? DepFilePath { get; init; }

    /// <summary>Receives progress updates (from the calling thread); null for none.</summary>
    public Action<CompressProgress>? Progress { get; init; }
}
