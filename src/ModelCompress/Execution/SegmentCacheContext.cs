using ModelCompress.Cache;

namespace ModelCompress.Execution;

/// <summary>Where segmented runs keep their results and activations: the run's cache (null: none) and the key version.</summary>
/// <param name="Cache">The cache, or null.</param>
/// <param name="KeyVersion">The engine identity every key includes (<see cref="CacheIdentity"/>).</param>
/// <param name="Reported">Sees what each segmented run did (for the run's report); may be null.</param>
internal sealed record SegmentCacheContext(ILayerCache? Cache, string KeyVersion, Action<SegmentRunReport>? Reported = null)
{
    /// <summary>No cache.</summary>
    public static SegmentCacheContext None { get; } = new(null, string.Empty);

    /// <summary>Runs <paramref name="plan"/> through this context's cache (<see cref="SegmentedRunner"/>) and reports what it did.</summary>
    public SegmentRunReport Run(
        SegmentPlan plan, IReadOnlyList<IReadOnlyDictionary<string, CarriedTensor>> samples, ISegmentConsumer consumer, SegmentSessions sessions, CancellationToken ct)
    {
        var report = new SegmentedRunner(Cache, KeyVersion, SegmentPolicy.Default).Run(plan, samples, consumer, sessions, ct);
        Reported?.Invoke(report);
        return report;
    }
}
