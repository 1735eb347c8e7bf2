namespace ModelCompress.Reports;

/// <summary>The per-layer cache's work for one model (present when the run used a cache).</summary>
/// <param name="LayerHits">Layer results read back.</param>
/// <param name="LayerMisses">Layer results computed (and stored).</param>
/// <param name="CalibrationHits">Calibration runs skipped because their statistics were read back.</param>
/// <param name="CalibrationMisses">Calibration runs done (and stored).</param>
/// <param name="SavedMilliseconds">Sum of <see cref="CacheLookup.SavedMilliseconds"/>.</param>
/// <param name="Lookups">Every look-up, in the order the run made them.</param>
public sealed record ModelCacheTimings(
    int LayerHits,
    int LayerMisses,
    int CalibrationHits,
    int CalibrationMisses,
    double SavedMilliseconds,
    IReadOnlyList<CacheLookup> Lookups)
{
    /// <summary>With a remote cache: how many of the hits (layers and calibration) came from it; null without one.</summary>
    public int? RemoteHits { get; init; }
}
