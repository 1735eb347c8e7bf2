namespace ModelCompress.Cache;

/// <summary>A verified cache entry.</summary>
/// <param name="Payload">The stored bytes, exactly as the computation produced them.</param>
/// <param name="ComputeMilliseconds">What computing the payload cost when it was stored (for "time saved").</param>
public sealed record CacheEntry(byte[] Payload, double ComputeMilliseconds)
{
    /// <summary>Whether the entry came from the shared remote store rather than the local folder.</summary>
    public bool Remote { get; init; }
}
