namespace ModelCompress.Verification;

/// <summary>The verdict of one bound of one <see cref="GateThreshold"/>.</summary>
/// <param name="Metric">The metric, e.g. <c>top1_agreement</c> or <c>accuracy_drop</c>.</param>
/// <param name="Value">The measured value.</param>
/// <param name="Bound">The bound as text, e.g. <c>&gt;= 0.99</c>.</param>
/// <param name="Passed">Whether the value is within the bound.</param>
/// <param name="Line">The threshold's line in the recipe, when known.</param>
public sealed record GateOutcome(string Metric, double Value, string Bound, bool Passed, int? Line = null);
