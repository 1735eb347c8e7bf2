using ModelCompress.Engine.Cache;

namespace ModelCompress.Engine.Segments;

/// <summary>Where segmented runs keep their results and activations: the run's cache (null: none) and the key version.</summary>
/// <param name="Cache">The cache, or null.</param>
/// <param name="KeyVersion">The engine identity every key includes (<see cref="CacheIdentity"/>).</param>
/// <param name="Reported">Sees what each segmented run did (for the run's report); may be null.</param>
internal sealed record SegmentCacheContext(ILayerCache? Cache, string KeyVersion, Action<SegmentRunReport>? Reported = null)
{
    /// <summary>No cache.</summary>
    public static SegmentCacheContext None { get; } = new(null, string.Empty);
}
