namespace ModelCompress.Reports;

/// <summary>Run-dependent facts kept apart from the deterministic part of the report.</summary>
/// <param name="TotalMilliseconds">Wall time of the whole run.</param>
/// <param name="Models">Per-model phase times, in recipe order.</param>
/// <param name="CacheHits">Layers whose result was read from the per-layer cache.</param>
/// <param name="CacheMisses">Layers computed in this run.</param>
public sealed record RunTimings(
    double TotalMilliseconds,
    IReadOnlyList<ModelTimings> Models,
    int CacheHits,
    int CacheMisses)
{
    /// <summary>Time the cache saved over the run: each hit's original compute time minus its read time.</summary>
    public double CacheSavedMilliseconds { get; init; }

    /// <summary>The per-layer cache folder the run used (full path); null when it used none.</summary>
    public string? CacheDirectory { get; init; }
}
