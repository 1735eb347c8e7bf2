namespace ModelCompress.Benchmarks;

/// <summary>
/// The columns of <c>eval --suite obs</c>: int4 weight-only RTN vs GPTQ (symmetric, blocks of 32 and 128) and
/// SparseGPT at 50 % unstructured and 2:4, each made from a recipe by the engine like the standard columns. The
/// magnitude columns are the baselines SparseGPT is compared with; where this build has no magnitude pruning they
/// show the engine's coded reason (MC3001) instead of numbers.
/// </summary>
internal static class EvalObsRecipes
{
    /// <summary>The <c>--suite</c> name.</summary>
    public const string Suite = "obs";

    /// <summary>The variants, in column order.</summary>
    public static readonly IReadOnlyList<EvalRecipeVariant> Variants =
    [
        new("int4 RTN b32", "rtn32", "      - quantize: { weights: int4, algorithm: rtn, block_size: 32 }\n", false, false),
        new("int4 GPTQ b32", "gptq32", "      - quantize: { weights: int4, algorithm: gptq, block_size: 32 }\n", true, false),
        new("int4 RTN b128", "rtn128", "      - quantize: { weights: int4, algorithm: rtn, block_size: 128 }\n", false, false),
        new("int4 GPTQ b128", "gptq128", "      - quantize: { weights: int4, algorithm: gptq, block_size: 128 }\n", true, false),
        new("magnitude 50%", "mag50", "      - prune: { method: magnitude, sparsity: 0.5 }\n", false, false),
        new("SparseGPT 50%", "sgpt50", "      - prune: { method: sparsegpt, sparsity: 0.5 }\n", true, false),
        new("magnitude 2:4", "mag24", "      - prune: { method: nm, pattern: \"2:4\" }\n", false, false),
        new("SparseGPT 2:4", "sgpt24", "      - prune: { method: sparsegpt, pattern: \"2:4\" }\n", true, false),
    ];
}
