namespace ModelCompress.Verification;

/// <summary>The verdict of one bound of one <see cref="GateThreshold"/>.</summary>
/// <param name="Metric">The metric, e.g. <c>top1_agreement</c> or <c>accuracy_drop</c>.</param>
/// <param name="Value">The measured value.</param>
/// <param name="Bound">The bound as text, e.g. <c>&gt;= 0.99</c>.</param>
/// <param name="Passed">Whether the value is within the bound.</param>
/// <param name="Line">The threshold's line in the recipe, when known.</param>
/// <param name="Output">
/// The output the value was measured on: for metrics of every output (cosine, SNR, agreement, errors) the one that comes
/// closest to its bound or breaches it, when more than one output was compared; null otherwise.
/// </param>
public sealed record GateOutcome(string Metric, double Value, string Bound, bool Passed, int? Line = null, string? Output = null);
