using System.Collections.Immutable;

namespace ModelCompress.Recipe;

/// <summary>
/// <c>tune:</c> — accuracy-driven tuning (Intel Neural Compressor's strategy): the engine tries candidate step lists
/// against the model's <c>verify</c> thresholds and keeps the one that best serves <see cref="Objective"/>.
/// </summary>
/// <param name="Objective">size (default), latency or accuracy.</param>
/// <param name="MaxTrials">Most candidates evaluated (<c>max_trials</c>, default 16).</param>
/// <param name="MaxSeconds">Wall-clock budget for the trials in seconds (<c>max_seconds</c>); null means none.</param>
/// <param name="Candidates">Explicit candidates in the order written, or empty for the default space.</param>
/// <param name="Location">Where the key <c>tune</c> was written.</param>
public sealed record TuneSettings(
    TuneObjective Objective,
    int MaxTrials,
    double? MaxSeconds,
    ImmutableArray<TuneCandidate> Candidates,
    SourceLocation Location)
{
    /// <summary>The default trial budget: enough for the default space's int4 and int8 families on a small model.</summary>
    public const int DefaultMaxTrials = 16;

    /// <summary>Whether the candidates come from the default space rather than the recipe.</summary>
    public bool UsesDefaultSpace => Candidates.IsDefaultOrEmpty;
}
