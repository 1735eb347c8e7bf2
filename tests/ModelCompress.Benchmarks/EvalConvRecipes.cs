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

    /// <summary>The variants, in column order.</summary>
    public static readonly IReadOnlyList<EvalRecipeVariant> Variants =
    [
        new("int8 w-only", "w8", "      - quantize: { mode: weight_only, weights: int8, per_channel: true }\n", false, false),
        new("int8 dynamic", "dyn", "      - quantize: { mode: dynamic, weights: int8, per_channel: true }\n", false, false),
        new("int8 minmax", "minmax", Static + " }\n", true, true),
        new("int8 p99.99", "p9999", Static.Replace("minmax", "percentile", StringComparison.Ordinal) + ", percentile: 99.99 }\n", true, true),
        new("int8 minmax, last MatMul float", "minmax-head", Static + ", exclude: [\"p2o.MatMul.24\", \"Times212\"] }\n", true, true),
        new("int8 minmax, GPTQ weights", "gptq", Static + ", algorithm: gptq }\n", true, true),
    ];
}
