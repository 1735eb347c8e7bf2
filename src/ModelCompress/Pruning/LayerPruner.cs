using ModelCompress.Recipe;

namespace ModelCompress.Pruning;

/// <summary>
/// Prunes one layer: scores every weight of the logical [N × K] matrix (<see cref="WeightLayout"/>) by the step's
/// method, selects the mask (per matrix, per row, N:M, or a global threshold) and returns the pruned weights in the
/// stored layout. A pure function of the weights, the layer's input statistics and the settings, so its result can be
/// cached per layer.
/// </summary>
/// <param name="Step">The prune step.</param>
/// <param name="GlobalThreshold">With <c>scope: global</c>, the |w| at or below which every weight goes.</param>
public sealed record LayerPruner(PruneStep Step, float? GlobalThreshold = null)
{
    /// <summary>Prunes a layer's stored weights.</summary>
    /// <param name="stored">The weights in the stored layout.</param>
    /// <param name="layout">The layer's logical view.</param>
    /// <param name="isConv">
    /// Whether the layer is a Conv whose statistics are not of its input patches (a 3-D Conv): activation-aware
    /// methods then fall back to magnitude.
    /// </param>
    /// <param name="sumSquares">
    /// Per reduction column Σx² over all calibration rows (Wanda), in the logical order; for a grouped Conv one set
    /// per group, side by side; or null.
    /// </param>
    /// <param name="rows">Captured calibration input rows [r × K] in the logical order (PST), or null.</param>
    /// <param name="groups">The Conv's groups (1 for MatMul/Gemm): PST fits one matrix, so a grouped Conv falls back to magnitude.</param>
    public PrunedWeight Prune(ReadOnlySpan<float> stored, WeightLayout layout, bool isConv, double[]? sumSquares, float[]? rows, int groups = 1)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var w = layout.Gather(stored);
        var outcome = PruneOutcome.None;
        if (Step.Pattern is { } p && !layout.FitsGroupsOf(p.M))
        {
            return new PrunedWeight(stored.ToArray(), PruneOutcome.LeftDense);
        }

        if (GlobalThreshold is { } t)
        {
            return new PrunedWeight(layout.Scatter(PruneMasks.Apply(w, PruneMasks.KeepAbove(w, t))), outcome);
        }

        var method = Step.Method;
        if (method is PruneMethod.Wanda or PruneMethod.Pst && isConv || method == PruneMethod.Pst && groups > 1)
        {
            (method, outcome) = (PruneMethod.Magnitude, PruneOutcome.ConvByMagnitude);
        }
        else if (method == PruneMethod.Wanda && (sumSquares is null || sumSquares.All(s => s == 0)))
        {
            (method, outcome) = (PruneMethod.Magnitude, PruneOutcome.ZeroCalibration);
        }
        else if (method == PruneMethod.Pst && (rows is null || rows.All(x => x == 0)))
        {
            (method, outcome) = (PruneMethod.Magnitude, PruneOutcome.ZeroCalibration);
        }

        if (method == PruneMethod.Pst)
        {
            var fit = PstImportance.Fit(w, layout.Rows, layout.Cols, rows!, Step.Pst ?? PstSettings.Default, Step.Sparsity, Step.Pattern);
            var keep = fit.ErrorAfter < fit.ErrorBefore ? fit.Keep : fit.MagnitudeKeep;
            outcome |= fit.ErrorAfter < fit.ErrorBefore ? PruneOutcome.None : PruneOutcome.PstNoGain;
            return new PrunedWeight(layout.Scatter(PruneMasks.Apply(w, keep)), outcome, fit.ErrorBefore, Math.Min(fit.ErrorAfter, fit.ErrorBefore));
        }

        var scores = method == PruneMethod.Wanda ? WandaScores.Compute(w, layout.Rows, layout.Cols, sumSquares!) : Magnitudes(w);

        // Magnitude ranks the whole layer (the classic baseline); activation-aware scores compare within an output row.
        var mask = Step.Pattern is null && method == PruneMethod.Magnitude
            ? PruneMasks.KeepPerMatrix(scores, Step.Sparsity)
            : Select(scores, layout.Rows, layout.Cols);
        return new PrunedWeight(layout.Scatter(PruneMasks.Apply(w, mask)), outcome);
    }

    /// <summary>The step's selection within rows: N:M groups with a pattern, else round(s·K) per row.</summary>
    private bool[] Select(double[] scores, int rows, int cols) => Step.Pattern is { } p
        ? PruneMasks.KeepNOfM(scores, rows, cols, p.N, p.M)
        : PruneMasks.KeepPerRow(scores, rows, cols, Step.Sparsity);

    /// <summary>|w| as scores.</summary>
    public static double[] Magnitudes(ReadOnlySpan<float> w)
    {
        var s = new double[w.Length];
        for (var i = 0; i < s.Length; i++)
        {
            s[i] = Math.Abs(w[i]);
        }

        return s;
    }
}
