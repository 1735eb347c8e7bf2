namespace ModelCompress.Benchmarks;

/// <summary>
/// The pruning suite (<c>eval --suite pruning</c>): dense fp32 against magnitude, Wanda and PST pruning at 50 %
/// unstructured and at 2:4, each alone and followed by SmoothQuant (α 0.5) + static int8 — every one a recipe run by
/// the engine, sharing one per-layer cache per fixture so a "+ SQ int8" column reuses its pruned layers.
/// </summary>
internal static class EvalPruneRecipes
{
    /// <summary>The <c>--suite</c> value that selects these variants.</summary>
    public const string Suite = "pruning";

    private const string SmoothQuantInt8 =
        "      - smoothquant: { alpha: 0.5 }\n" +
        "      - quantize: { mode: static, weights: int8, activations: uint8, per_channel: true, method: minmax }\n";

    private static readonly (string Header, string Slug, string Step)[] Prunes =
    [
        ("magnitude 50%", "mag50", "      - prune: { method: magnitude, sparsity: 0.5 }\n"),
        ("Wanda 50%", "wanda50", "      - prune: { method: wanda, sparsity: 0.5 }\n"),
        ("PST 50%", "pst50", "      - prune: { method: pst, sparsity: 0.5 }\n"),
        ("magnitude 2:4", "mag24", "      - prune: { method: nm, pattern: \"2:4\" }\n"),
        ("Wanda 2:4", "wanda24", "      - prune: { method: wanda, pattern: \"2:4\" }\n"),
        ("PST 2:4", "pst24", "      - prune: { method: pst, pattern: \"2:4\" }\n"),
    ];

    /// <summary>The columns, in order: each pruning alone, then each with SmoothQuant int8 after it.</summary>
    public static IReadOnlyList<EvalRecipeVariant> Variants { get; } =
    [
        .. Prunes.Select(p => new EvalRecipeVariant(p.Header, p.Slug, p.Step, true, false)),
        .. Prunes.Select(p => new EvalRecipeVariant(p.Header + " + SQ int8", p.Slug + "-sq", p.Step + SmoothQuantInt8, true, true)),
    ];
}
