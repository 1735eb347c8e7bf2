using ModelCompress.Passes;

namespace ModelCompress.Engine;

/// <summary>
/// Stores per-layer results by <see cref="LayerWorkKey"/>. Implementations verify entries on read (a damaged entry is a
/// miss, never trusted) and write atomically, so two runs may share one cache.
/// </summary>
public interface ILayerCache
{
    /// <summary>The stored result for <paramref name="key"/>, or null.</summary>
    byte[]? TryGet(LayerWorkKey key);

    /// <summary>Stores <paramref name="result"/> under <paramref name="key"/>.</summary>
    void Put(LayerWorkKey key, ReadOnlySpan<byte> result);
}
