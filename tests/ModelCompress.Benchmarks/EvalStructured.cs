namespace ModelCompress.Benchmarks;

/// <summary>
/// The structured pruning columns (<c>eval --suite structured</c>): each fixture's table then compares fp32 with
/// <c>prune: { method: structured, sparsity: 0.25 }</c> ranked by activation and by weight norms, and with SmoothQuant
/// static int8 after the activation-ranked prune, next to SmoothQuant static int8 alone. Every column is made by the
/// engine from a recipe, as <see cref="EvalRecipes.Make"/> does for the standard columns.
/// </summary>
internal static class EvalStructured
{
    /// <summary>The <c>--suite</c> name.</summary>
    public const string Suite = "structured";

    private const string Prune = "      - prune: { method: structured, sparsity: 0.25 }\n";
    private const string SmoothQuantInt8 = "      - smoothquant: { alpha: 0.5 }\n"
        + "      - quantize: { mode: static, weights: int8, activations: uint8, per_channel: true, method: minmax }\n";

    /// <summary>The columns, in order (headers differ from the standard ones so the int8 targets do not pick them up).</summary>
    public static readonly IReadOnlyList<EvalRecipeVariant> Variants =
    [
        new("struct 25%", "st25", Prune, true, false),
        new("struct 25% (weight)", "st25w", "      - prune: { method: structured, sparsity: 0.25, importance: weight }\n", false, false),
        new("SQ int8", "sq8", SmoothQuantInt8, true, true),
        new("struct 25% + SQ int8", "st25sq8", Prune + SmoothQuantInt8, true, true),
    ];
}
