using ModelCompress.Onnx.Diagnostics;

namespace ModelCompress.Recipe;

/// <summary>The recipe's spellings of every enum value; the docs (docs/recipe.md) list the same words.</summary>
internal static class RecipeChoices
{
    /// <summary>Every allowed word of every enum-valued key.</summary>
    public static IEnumerable<string> AllNames => Formats.Names.Concat(Combines.Names).Concat(Modes.Names).Concat(WeightType.Names)
        .Concat(ActivationType.Names).Concat(RangeMethod.Names).Concat(PruneMethods.Names).Concat(PruneScopes.Names).Concat(DistillMethods.Names)
        .Concat(ShareMethods.Names).Concat(Int4Algorithms.Names).Concat(Metric.Names).Concat(Severity.Names).Concat(OnRegression.Names)
        .Concat(SparseStorages.Names).Concat(FallbackOrders.Names);

    public static Choices<DataFormat> Formats { get; } = new(
        ("npy", DataFormat.Npy), ("npz", DataFormat.Npz), ("text", DataFormat.Text), ("mnist-idx", DataFormat.MnistIdx));

    public static Choices<AlphaCombine> Combines { get; } = new(
        ("mean", AlphaCombine.Mean), ("min", AlphaCombine.Min), ("max", AlphaCombine.Max));

    public static Choices<QuantizeMode> Modes { get; } = new(
        ("static", QuantizeMode.Static), ("dynamic", QuantizeMode.Dynamic), ("weight_only", QuantizeMode.WeightOnly));

    public static Choices<QuantizeWeightType> WeightType { get; } = new(
        ("int8", QuantizeWeightType.Int8), ("int4", QuantizeWeightType.Int4));

    public static Choices<QuantizeActivationType> ActivationType { get; } = new(
        ("uint8", QuantizeActivationType.UInt8), ("int8", QuantizeActivationType.Int8));

    public static Choices<ActivationRangeMethod> RangeMethod { get; } = new(
        ("minmax", ActivationRangeMethod.MinMax), ("percentile", ActivationRangeMethod.Percentile), ("entropy", ActivationRangeMethod.Entropy));

    public static Choices<PruneMethod> PruneMethods { get; } = new(
        ("magnitude", PruneMethod.Magnitude),
        ("nm", PruneMethod.NM),
        ("wanda", PruneMethod.Wanda),
        ("sparsegpt", PruneMethod.SparseGpt),
        ("structured", PruneMethod.Structured),
        ("pst", PruneMethod.Pst));

    public static Choices<PruneScope> PruneScopes { get; } = new(("layer", PruneScope.Layer), ("global", PruneScope.Global));

    public static Choices<SparseStorage> SparseStorages { get; } = new(("packed", SparseStorage.Packed), ("dense", SparseStorage.Dense));

    public static Choices<Int4Algorithm> Int4Algorithms { get; } = new(("rtn", Int4Algorithm.Rtn), ("gptq", Int4Algorithm.Gptq));

    public static Choices<DistillMethod> DistillMethods { get; } = new(("layerwise", DistillMethod.Layerwise));

    public static Choices<ShareMethod> ShareMethods { get; } = new(
        ("cluster", ShareMethod.Cluster), ("lowrank", ShareMethod.LowRank));

    public static Choices<VerifyMetric> Metric { get; } = new(
        ("top1_agreement", VerifyMetric.Top1Agreement),
        ("accuracy", VerifyMetric.Accuracy),
        ("cosine", VerifyMetric.Cosine),
        ("max_abs_error", VerifyMetric.MaxAbsError),
        ("mean_abs_error", VerifyMetric.MeanAbsError),
        ("perplexity", VerifyMetric.Perplexity),
        ("snr_db", VerifyMetric.SnrDb));

    public static Choices<DiagnosticSeverity> Severity { get; } = new(
        ("error", DiagnosticSeverity.Error), ("warning", DiagnosticSeverity.Warning));

    public static Choices<RegressionAction> OnRegression { get; } = new(
        ("fail", RegressionAction.Fail), ("fallback", RegressionAction.Fallback));

    public static Choices<FallbackOrder> FallbackOrders { get; } = new(("snr", FallbackOrder.Snr), ("sensitivity", FallbackOrder.Sensitivity));
}
