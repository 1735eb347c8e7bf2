namespace ModelCompress.Benchmarks;

/// <summary>
/// The columns of <c>eval --suite conv</c>: static int8 of conv nets (Conv outputs quantized so ONNX Runtime fuses
/// QLinearConv) beside weight-only and dynamic int8, with the variants that trade speed for fidelity: percentile ranges,
/// and the last MatMul (a classifier head) left in float.
/// </summary>
internal static class EvalConvRecipes
{
    /// <summary>The <c>--suite</c> name.</summary>
    public const string Suite = "conv";

    private const string Static = "      - quantize: { mode: static, weights: int8, activations: uint8, per_channel: true, method: minmax";

    /// <summary>
    /// The gate of the sensitivity-fallback column: per-time-step (or per-image) top-1 agreement with fp32 on the
    /// calibration rows (the evaluation rows stay unseen), layers put back to float in the order of what each alone in
    /// int8 costs it; a warning, not an error, when 24 layers are not enough, so the column shows what was built.
    /// </summary>
    private const string SensitivityGate = "    verify:\n      data: " + EvalRecipes.CalibrationToken + "\n      severity: warning\n" +
        "      on_regression: fallback\n      fallback_order: sensitivity\n      max_fallback_layers: 24\n" +
        "      thresholds:\n        - { metric: top1_agreement, min: 0.98 }\n";

    /// <summary>The variants, in column order.</summary>
    public static readonly IReadOnlyList<EvalRecipeVariant> Variants =
    [
        new("int8 w-only", "w8", "      - quantize: { mode: weight_only, weights: int8, per_channel: true }\n", false, false),
        new("int8 dynamic", "dyn", "      - quantize: { mode: dynamic, weights: int8, per_channel: true }\n", false, false),
        new("int8 minmax", "minmax", Static + " }\n", true, true),
        new("int8 p99.99", "p9999", Static.Replace("minmax", "percentile", StringComparison.Ordinal) + ", percentile: 99.99 }\n", true, true),
        new("int8 minmax, last MatMul float", "minmax-head", Static + ", exclude: [\"p2o.MatMul.24\", \"Times212\"] }\n", true, true),
        new("int8 minmax, GPTQ weights", "gptq", Static + ", algorithm: gptq }\n", true, true),
        new("int8 minmax, sensitivity fallback", "sens", Static + " }\n" + SensitivityGate, true, true),
    ];
}
