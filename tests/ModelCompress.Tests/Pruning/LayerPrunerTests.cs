using ModelCompress.Pruning;
using ModelCompress.Recipe;

namespace ModelCompress.Tests.Pruning;

/// <summary>Wanda against hand-computed scores, the all-zero fallback, PST against magnitude, determinism.</summary>
public sealed class LayerPrunerTests
{
    private static readonly SourceLocation At = new("compression.yaml", 1, 1);

    private static PruneStep Step(PruneMethod method, double sparsity = 0.5, SparsityPattern? pattern = null, PstSettings? pst = null) =>
        new(method, pattern?.Sparsity ?? sparsity, pattern, [], At) { Pst = pst };

    [Fact]
    public void Wanda_scores_are_abs_w_times_the_input_channel_l2_norm()
    {
        // Logical [N=2, K=3]; Σx² per channel 4, 1, 9 → norms 2, 1, 3.
        float[] w = [1, -4, 0.5f, -2, 1, 1];

        var s = WandaScores.Compute(w, 2, 3, [4, 1, 9]);

        Assert.Equal([2, 4, 1.5, 4, 1, 3], s);
    }

    [Fact]
    public void Wanda_keeps_a_small_weight_on_a_loud_channel_that_magnitude_drops()
    {
        // MatMul W [K=4, N=1]: |w| 1, 2, 3, 0.5; channel 3 carries 100× the signal.
        float[] w = [1, 2, 3, 0.5f];
        var layout = WeightLayout.For("MatMul", [4, 1], 1);
        double[] sums = [1, 1, 1, 1e4];

        var wanda = new LayerPruner(Step(PruneMethod.Wanda)).Prune(w, layout, false, sums, null);
        var magnitude = new LayerPruner(Step(PruneMethod.Magnitude)).Prune(w, layout, false, null, null);

        Assert.Equal([0f, 0, 3, 0.5f], wanda.Weights);
        Assert.Equal([0f, 2, 3, 0], magnitude.Weights);
        Assert.Equal(PruneOutcome.None, wanda.Outcome);
    }

    [Fact]
    public void All_zero_calibration_falls_back_to_magnitude_with_its_flag_and_no_nan()
    {
        float[] w = [1, 2, 3, 0.5f];
        var layout = WeightLayout.For("MatMul", [4, 1], 1);

        var wanda = new LayerPruner(Step(PruneMethod.Wanda)).Prune(w, layout, false, [0, 0, 0, 0], null);
        var pst = new LayerPruner(Step(PruneMethod.Pst, pst: PstSettings.Default)).Prune(w, layout, false, null, new float[8]);

        Assert.Equal(PruneOutcome.ZeroCalibration, wanda.Outcome);
        Assert.Equal(PruneOutcome.ZeroCalibration, pst.Outcome);
        Assert.Equal([0f, 2, 3, 0], wanda.Weights);
        Assert.Equal(wanda.Weights, pst.Weights);
    }

    [Fact]
    public void A_pattern_that_does_not_tile_the_inputs_leaves_the_layer_dense()
    {
        float[] w = [1, 2, 3, 4, 5, 6];

        var r = new LayerPruner(Step(PruneMethod.NM, pattern: new SparsityPattern(2, 4))).Prune(w, WeightLayout.For("MatMul", [6, 1], 1), false, null, null);

        Assert.Equal(PruneOutcome.LeftDense, r.Outcome);
        Assert.Equal(w, r.Weights);
    }

    [Fact]
    public void The_result_round_trips_through_its_bytes()
    {
        var r = new PrunedWeight([0f, 1.5f, -2f], PruneOutcome.PstNoGain | PruneOutcome.ZeroCalibration, 0.25, 0.125);

        var back = PrunedWeight.FromBytes(r.ToBytes());

        Assert.Equal(r.Weights, back.Weights);
        Assert.Equal((r.Outcome, r.ErrorBefore, r.ErrorAfter), (back.Outcome, back.ErrorBefore, back.ErrorAfter));
        Assert.Equal(1.0 / 3, back.Sparsity, 12);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Pst_lowers_the_output_error_below_magnitude_s_on_inputs_with_loud_channels_and_repeats_exactly(bool twoOfFour)
    {
        // 16 inputs, 8 outputs; a few input channels carry far more signal, so |W| alone is the wrong importance.
        const int k = 16;
        const int n = 8;
        const int rows = 64;
        var random = new Random(42);
        var w = Enumerable.Range(0, k * n).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var scale = Enumerable.Range(0, k).Select(j => j % 5 == 0 ? 8f : 0.5f).ToArray();
        var x = Enumerable.Range(0, rows * k).Select(i => (float)(random.NextDouble() - 0.5) * scale[i % k]).ToArray();
        var step = Step(PruneMethod.Pst, 0.5, twoOfFour ? new SparsityPattern(2, 4) : null, new PstSettings(4, 80, 0.05));
        var layout = WeightLayout.For("MatMul", [k, n], 1);

        var first = new LayerPruner(step).Prune(w, layout, false, null, x);
        var second = new LayerPruner(step).Prune(w, layout, false, null, x);

        Assert.Equal(PruneOutcome.None, first.Outcome);
        Assert.True(first.ErrorAfter < 0.8 * first.ErrorBefore, $"PST error {first.ErrorAfter} vs magnitude {first.ErrorBefore}");
        Assert.Equal(first.ToBytes(), second.ToBytes());
        Assert.Equal(0.5, first.Sparsity, 12);
        Assert.All(first.Weights, v => Assert.False(float.IsNaN(v)));
    }
}
