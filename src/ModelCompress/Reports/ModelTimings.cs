namespace ModelCompress.Reports;

/// <summary>Wall times of one model's phases, in milliseconds.</summary>
/// <param name="Name">The model name.</param>
/// <param name="LoadMilliseconds">Reading and parsing the source model.</param>
/// <param name="StepMilliseconds">Each step, in recipe order.</param>
/// <param name="VerifyMilliseconds">The accuracy check.</param>
public sealed record ModelTimings(
    string Name,
    double LoadMilliseconds,
    IReadOnlyList<double> StepMilliseconds,
    double VerifyMilliseconds)
{
    /// <summary>The per-layer cache's hits, misses and time saved for this model; null when the run used no cache.</summary>
    public ModelCacheTimings? Cache { get; init; }

    /// <summary>
    /// True when nothing the model's run depends on changed since a run that wrote the same outputs, which are kept as
    /// they are and its report read back (no load, steps or gate); absent otherwise.
    /// </summary>
    public bool? ReadBack { get; init; }
}
