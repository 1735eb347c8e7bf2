namespace ModelCompress.Cache;

/// <summary>
/// Stores per-layer results and calibration statistics by content address (<see cref="CacheKey"/>). Implementations
/// verify entries on read (a damaged entry is a miss, never trusted) and write atomically, so two runs may share one
/// cache; a failing cache degrades to recomputation, never to a failed run.
/// </summary>
public interface ILayerCache
{
    /// <summary>The verified entry stored under <paramref name="key"/>, or null (missing or damaged).</summary>
    CacheEntry? TryGet(CacheKey key);

    /// <summary>
    /// The verified entry stored under <paramref name="key"/> with its payload left in the cache's file
    /// (<see cref="CachedPayload"/>), or null: missing, damaged, or a cache that keeps no files to open (then
    /// <see cref="TryGet"/> is the way to read it).
    /// </summary>
    CachedPayload? TryOpen(CacheKey key) => null;

    /// <summary>Stores <paramref name="payload"/> under <paramref name="key"/> with what it cost to compute.</summary>
    void Put(CacheKey key, ReadOnlySpan<byte> payload, double computeMilliseconds);

    /// <summary>
    /// Stores the payload that <paramref name="writePayload"/> writes (exactly <paramref name="payloadLength"/> bytes)
    /// under <paramref name="key"/>. A folder cache streams it to the file; this default assembles it first.
    /// </summary>
    void Put(CacheKey key, long payloadLength, Action<Stream> writePayload, double computeMilliseconds)
    {
        ArgumentNullException.ThrowIfNull(writePayload);
        var bytes = new byte[payloadLength];
        using (var stream = new MemoryStream(bytes))
        {
            writePayload(stream);
        }

        Put(key, bytes, computeMilliseconds);
    }

    /// <summary>
    /// Marks the entry under <paramref name="key"/> as just used, without reading it; false when there is none (or the
    /// cache keeps no use times). Content-addressed entries that exist need not be written again.
    /// </summary>
    bool Refresh(CacheKey key) => false;
}
