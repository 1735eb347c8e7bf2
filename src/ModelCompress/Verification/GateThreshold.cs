namespace ModelCompress.Verification;

/// <summary>
/// One accuracy-gate rule from the recipe's <c>verify.thresholds</c>, with the recipe location it came from. Exactly
/// the bounds that are set apply: <c>min</c>/<c>max</c> on the metric's value, <c>max_drop</c> on fp32 − compressed
/// (e.g. accuracy), <c>max_increase</c> on the relative increase over fp32 (e.g. perplexity).
/// </summary>
/// <param name="Metric">The metric name, e.g. <c>top1_agreement</c>, <c>cosine</c>, <c>accuracy</c>.</param>
/// <param name="Min">Smallest allowed value.</param>
/// <param name="Max">Largest allowed value.</param>
/// <param name="MaxDrop">Largest allowed fp32 − compressed.</param>
/// <param name="MaxIncrease">Largest allowed (compressed − fp32) / fp32.</param>
/// <param name="File">The recipe file.</param>
/// <param name="Line">1-based line in the recipe, 0 when unknown.</param>
/// <param name="Column">1-based column in the recipe, 0 when unknown.</param>
public sealed record GateThreshold(
    string Metric,
    double? Min = null,
    double? Max = null,
    double? MaxDrop = null,
    double? MaxIncrease = null,
    string? File = null,
    int Line = 0,
    int Column = 0);
