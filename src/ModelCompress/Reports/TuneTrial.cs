using ModelCompress.Verification;

namespace ModelCompress.Reports;

/// <summary>One candidate the tuner built and judged.</summary>
/// <param name="Candidate">The candidate's 1-based number in the candidate list.</param>
/// <param name="Label">Its short description.</param>
/// <param name="Settings">Its steps' settings, step by step (the cache's fingerprints).</param>
/// <param name="Passed">Whether it met every verify threshold.</param>
/// <param name="Margin">The worst bound's margin, relative to the bound (negative: missed by that fraction).</param>
/// <param name="Thresholds">Each bound's verdict.</param>
/// <param name="OutputBytes">The candidate's model size.</param>
/// <param name="LatencyMs">Median ONNX Runtime latency of one verify sample (1 thread).</param>
/// <param name="Milliseconds">Time spent on the trial (build, verification, latency).</param>
/// <param name="CacheHits">Layer results and calibration statistics read back from the cache during the trial.</param>
/// <param name="CacheMisses">Entries computed during the trial.</param>
public sealed record TuneTrial(
    int Candidate,
    string Label,
    string Settings,
    bool Passed,
    double Margin,
    IReadOnlyList<GateOutcome> Thresholds,
    long OutputBytes,
    double LatencyMs,
    double Milliseconds,
    int CacheHits,
    int CacheMisses)
{
    /// <summary>The coded error that stopped the candidate's build or verification, when one did.</summary>
    public string? Error { get; init; }

    /// <summary>
    /// Where the trial's time went, in milliseconds by phase, in the order spent: <c>load</c>, <c>calibration</c>
    /// (statistics gathered or read back), <c>steps</c> (the passes less their calibration), <c>write</c> (packing and
    /// serializing), <c>verify</c> (the gate) and <c>latency</c>.
    /// </summary>
    public IReadOnlyList<TunePhase>? Phases { get; init; }
}
