namespace ModelCompress.Recipe;

/// <summary>
/// One entry of <c>verify.thresholds</c>. Only the bounds that make sense for the metric are set (the loader
/// rejects the others), and at least one is.
/// </summary>
/// <param name="Metric">What is measured.</param>
/// <param name="Min">The compressed model's value must be at least this.</param>
/// <param name="Max">The compressed model's value must be at most this.</param>
/// <param name="MaxDrop">fp32 value − compressed value must be at most this (absolute, e.g. 0.01 = one point).</param>
/// <param name="MaxIncrease">(compressed − fp32) / fp32 must be at most this (relative, e.g. 0.03 = 3 %).</param>
/// <param name="Location">Where the threshold's mapping starts, for the accuracy gate's diagnostics.</param>
public sealed record Threshold(
    VerifyMetric Metric,
    double? Min,
    double? Max,
    double? MaxDrop,
    double? MaxIncrease,
    SourceLocation Location);
