using ModelCompress.Engine.Verification;

namespace ModelCompress.Reports;

/// <summary>The accuracy check of one model.</summary>
/// <param name="Data">The verify data file, relative to the recipe folder.</param>
/// <param name="Metrics">The measured metrics.</param>
/// <param name="Thresholds">Each bound of the recipe's thresholds with its verdict.</param>
/// <param name="Passed">Whether every bound held.</param>
public sealed record VerificationReport(
    string Data,
    VerificationMetrics Metrics,
    IReadOnlyList<GateOutcome> Thresholds,
    bool Passed);
