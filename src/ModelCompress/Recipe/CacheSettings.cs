namespace ModelCompress.Recipe;

/// <summary>The per-layer cache (<c>cache:</c>).</summary>
/// <param name="Enabled">Whether finished layers are stored and read back (<c>enabled</c>, default true).</param>
/// <param name="MaxSizeMb">Size cap in MiB before old entries are evicted (<c>max_size_mb</c>, default 1024).</param>
/// <param name="Location">Where <c>cache:</c> was written, or the top of the recipe when it was omitted.</param>
public sealed record CacheSettings(bool Enabled, int MaxSizeMb, SourceLocation Location)
{
    /// <summary>The default size cap in MiB.</summary>
    public const int DefaultMaxSizeMb = 1024;
}
