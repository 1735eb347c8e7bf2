using ModelCompress.Analysis;
using ModelCompress.Onnx;
using ModelCompress.Quantization;
using ModelCompress.Recipe;
using ModelCompress.Testing;

namespace ModelCompress.Tests.Quantization;

public sealed class SmoothQuantTests
{
    private static readonly SourceLocation Here = new("test.yaml", 1, 1);

    private static SmoothQuantStep Fixed(double alpha, bool fold = true) => new(alpha, 0.3, 0.7, 0.05, AlphaCombine.Mean, fold, Here);

    private static SmoothQuantStep Auto(AlphaCombine combine = AlphaCombine.Mean) => new(null, 0.3, 0.7, 0.05, combine, true, Here);

    private static float[] Input(int rows, int d, ulong seed)
    {
        var rng = new DeterministicRandom(seed);
        return [.. Enumerable.Range(0, rows * d).Select(i => rng.NextNormal(1f) * (i % d == 3 ? 8f : 1f))];
    }

    /// <summary>Runs both models in ONNX Runtime on the same input; returns the largest |difference| relative to the largest |output|.</summary>
    private static double RelativeDifference(OnnxModel before, OnnxModel after, OrtInput input)
    {
        var a = OrtRun.Run(before.ToBytes(), input);
        var b = OrtRun.Run(after.ToBytes(), input);
        double worst = 0;
        for (var o = 0; o < a.Count; o++)
        {
            var x = a[o].Floats;
            var y = b[o].Floats;
            var scale = x.Max(MathF.Abs);
            worst = Math.Max(worst, x.Zip(y).Max(p => Math.Abs(p.First - p.Second)) / scale);
        }

        return worst;
    }

    [Fact]
    public void Alpha_grid_includes_both_ends()
    {
        Assert.Equal([0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7], AlphaGrid.Values(0.3, 0.7, 0.05));
        Assert.Equal([0.3, 0.45, 0.6, 0.7], AlphaGrid.Values(0.3, 0.7, 0.15));
        Assert.Equal([0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0], AlphaGrid.Values(0, 1, 0.1));
        Assert.Equal([0.5], AlphaGrid.Values(0.5, 0.5, 0.05));
    }

    [Fact]
    public void Smoothing_factors_follow_the_paper()
    {
        var s = SmoothQuantizer.Scales([8f, 1f, 0f, 4f], [0.5f, 2f, 1f, 0f], 0.5);

        Assert.Equal(MathF.Sqrt(8f) / MathF.Sqrt(0.5f), s[0], 5);
        Assert.Equal(1f / MathF.Sqrt(2f), s[1], 5);
        Assert.Equal(1f, s[2]); // a dead activation channel keeps s = 1
        Assert.Equal(1f, s[3]);
        Assert.Equal(MathF.Pow(8f, 0.75f) / MathF.Pow(0.5f, 0.25f), SmoothQuantizer.Scales([8f], [0.5f], 0.75)[0], 4);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_transform_leaves_float_outputs_unchanged_in_onnx_runtime(bool fold)
    {
        var model = QuantTestModels.SharedInputs();
        var original = model.Clone();
        var calibration = QuantTestModels.Samples("x", 4, 16, 32);

        var run = PassHarness.Run(model, calibration, Fixed(0.5, fold));

        var groups = PassHarness.Groups(run.Steps[0]);
        Assert.Equal(3, groups.Count);
        Assert.Equal(["/q/MatMul", "/k/MatMul", "/v/MatMul"], groups[0].Select(l => l.Name));
        Assert.All(run.Layers, l => Assert.Equal(0.5, l.Alpha));
        Assert.True(RelativeDifference(original, model, OrtInput.Float("x", Input(24, 32, 9), 2, 12, 32)) < 1e-5);
        var names = model.Graph.Initializers.Keys.ToList();
        Assert.Contains(names, n => n.StartsWith("q.weight_smoothed", StringComparison.Ordinal));
        if (fold)
        {
            Assert.StartsWith("folded into LayerNorm", groups[0][0].Note, StringComparison.Ordinal);
            Assert.StartsWith("folded into RmsNorm", groups[1][0].Note, StringComparison.Ordinal);
            Assert.StartsWith("Mul inserted", groups[2][0].Note, StringComparison.Ordinal); // down: after SiLU·up
            Assert.DoesNotContain("ln.weight", names); // replaced by its smoothed copy
            Assert.Single(model.Graph.Nodes, n => n.Name.Contains("SmoothQuant_Mul", StringComparison.Ordinal));
        }
        else
        {
            Assert.All(run.Layers, l => Assert.Contains("fold: false", l.Note, StringComparison.Ordinal));
            Assert.Equal(3, model.Graph.Nodes.Count(n => n.Name.Contains("SmoothQuant_Mul", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public void The_transform_is_exact_on_a_gpt_block_and_an_mlp_folded_into_previous_layers()
    {
        var gpt = SampleModels.GptBlock(dModel: 32, heads: 4);
        var gptOriginal = gpt.Clone();
        PassHarness.Run(gpt, QuantTestModels.Samples("x", 3, 8, 32), Fixed(0.5));
        Assert.True(RelativeDifference(gptOriginal, gpt, OrtInput.Float("x", Input(16, 32, 1), 1, 16, 32)) < 1e-5);

        var mlp = SampleModels.Mlp(inputSize: 16, hiddenSize: 24, outputSize: 10, hiddenLayers: 2);
        var mlpOriginal = mlp.Clone();
        var groups = PassHarness.Groups(PassHarness.Run(mlp, QuantTestModels.Samples("input", 4, [8, 16], 3f), Fixed(0.6)).Steps[0]);
        Assert.Equal(3, groups.Count);
        Assert.StartsWith("folded into Linear", groups[1][0].Note, StringComparison.Ordinal);
        Assert.StartsWith("folded into Linear", groups[2][0].Note, StringComparison.Ordinal);
        Assert.True(RelativeDifference(mlpOriginal, mlp, OrtInput.Float("input", new DeterministicRandom(2).Uniform(5 * 16, 3f), 5, 16)) < 1e-5);
    }

    [Fact]
    public void Auto_alpha_keeps_the_best_grid_point_per_layer_and_combines_shared_inputs()
    {
        var model = QuantTestModels.SharedInputs();
        var original = model.Clone();
        var calibration = QuantTestModels.Samples("x", 8, 32, 32);

        var run = PassHarness.Run(model, calibration, Auto(AlphaCombine.Max));

        var groups = PassHarness.Groups(run.Steps[0]);
        Assert.Equal([3, 2, 1], groups.Select(g => g.Count)); // q/k/v, gate/up, down
        foreach (var group in groups)
        {
            Assert.All(group, l => Assert.Equal(group.Max(m => m.AlphaSearch!.BestAlpha!.Value), l.Alpha));
            foreach (var layer in group)
            {
                var search = layer.AlphaSearch!;
                Assert.Equal(9, search.Curve.Count);
                var best = search.Curve.MinBy(p => p.Mse)!;
                AlphaSelectionTests.AssertOneStandardErrorChoice(search.Curve, search.BestAlpha!.Value);
                Assert.True(best.Mse <= search.Curve.Single(p => p.Alpha == 0.5).Mse);
            }
        }

        // The outlier channel makes per-tensor int8 inputs coarse: smoothing must beat no smoothing for q/k/v.
        Assert.All(groups[0], l => Assert.True(l.AlphaSearch!.MseAtChosenAlpha < l.AlphaSearch.MseWithoutSmoothing,
            $"{l.Name}: {l.AlphaSearch.MseAtChosenAlpha} vs {l.AlphaSearch.MseWithoutSmoothing}"));
        Assert.True(RelativeDifference(original, model, OrtInput.Float("x", Input(16, 32, 3), 1, 16, 32)) < 1e-5);
    }

    [Fact]
    public void Simulated_mse_uses_the_exact_int8_kernel_and_is_zero_for_exactly_representable_layers()
    {
        // Inputs on the uint8 grid of [0, 255] and weights on the int8 grid: quantization loses nothing.
        var rows = 4;
        var k = 8;
        var n = 3;
        var x = Enumerable.Range(0, rows * k).Select(i => (float)(i * 7 % 256)).ToArray();
        var w = Enumerable.Range(0, k * n).Select(i => i < n ? 127f : (float)((i * 13 % 255) - 127)).ToArray(); // every column reaches 127: step 1
        var stats = new ModelCompress.Calibration.TensorStatistics(new ModelCompress.Calibration.CalibrationRequest("x"), k);
        stats.AddChannels([.. Enumerable.Repeat(0f, k), .. Enumerable.Repeat(255f, k)], 1);
        var ones = Enumerable.Repeat(1f, k).ToArray();
        var reference = SmoothQuantizer.FloatProduct(x, rows, k, w, n);

        var mse = SmoothQuantizer.SimulatedMse(x, rows, k, ones, stats.ChannelMin, stats.ChannelMax, w, n, reference, new SmoothQuantOptions());

        Assert.Equal(0, mse, 6);
    }
}
