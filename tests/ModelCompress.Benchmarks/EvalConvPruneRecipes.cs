namespace ModelCompress.Benchmarks;

/// <summary>
/// The columns of <c>eval --suite conv-prune</c>: pruning of conv nets, where Wanda, SparseGPT and distillation see a
/// Conv kernel as a linear layer on its unfolded input patches — magnitude vs Wanda vs SparseGPT at 50 % and 2:4
/// (along the input channels at each kernel position), and magnitude with and without layer-wise distillation.
/// </summary>
internal static class EvalConvPruneRecipes
{
    /// <summary>The <c>--suite</c> name.</summary>
    public const string Suite = "conv-prune";

    private const string Distill = "      - distill: { method: layerwise, teacher: source, rows: 2048 }\n";

    private const string Magnitude50 = "      - prune: { method: magnitude, sparsity: 0.5 }\n";

    private const string Magnitude24 = "      - prune: { method: nm, pattern: \"2:4\" }\n";

    /// <summary>The variants, in column order.</summary>
    public static readonly IReadOnlyList<EvalRecipeVariant> Variants =
    [
        new("magnitude 50%", "mag50", Magnitude50, false, false),
        new("Wanda 50%", "wanda50", "      - prune: { method: wanda, sparsity: 0.5 }\n", true, false),
        new("SparseGPT 50%", "sgpt50", "      - prune: { method: sparsegpt, sparsity: 0.5 }\n", true, false),
        new("magnitude 2:4", "mag24", Magnitude24, false, false),
        new("Wanda 2:4", "wanda24", "      - prune: { method: wanda, pattern: \"2:4\" }\n", true, false),
        new("SparseGPT 2:4", "sgpt24", "      - prune: { method: sparsegpt, pattern: \"2:4\" }\n", true, false),
        new("magnitude 50% + distill", "mag50-kd", Magnitude50 + Distill, true, false),
        new("magnitude 2:4 + distill", "mag24-kd", Magnitude24 + Distill, true, false),
    ];
}
