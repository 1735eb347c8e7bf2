using ModelCompress.Verification;

namespace ModelCompress.Reports;

/// <summary>One model tried by the fallback.</summary>
/// <param name="FloatLayers">How many of the worst layers were kept in float.</param>
/// <param name="Passed">Whether it met every threshold.</param>
/// <param name="Thresholds">Each bound's verdict for it.</param>
public sealed record FallbackAttempt(int FloatLayers, bool Passed, IReadOnlyList<GateOutcome> Thresholds);
