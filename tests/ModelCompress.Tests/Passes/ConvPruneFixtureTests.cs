using ModelCompress.Analysis;
using ModelCompress.Calibration;
using ModelCompress.Engine;
using ModelCompress.Execution;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Passes;
using ModelCompress.Pruning;
using ModelCompress.Recipe;
using ModelCompress.Testing;

namespace ModelCompress.Tests.Passes;

/// <summary>
/// Wanda and SparseGPT on the real mnist-8 Convs, seen as linear layers on their unfolded input patches: on real
/// activations (64 test images), the layer's output error ‖X(W − Ŵ)‖² = Σ_m Δ_mᵀHΔ_m of SparseGPT is below half of
/// Wanda's and magnitude's at 50 % and at 2:4 (Wanda's below magnitude's at 50 %); through the engine, every Conv is pruned by the method (no
/// magnitude fallback), the result is byte-reproducible and a second run reads every layer from the cache.
/// </summary>
public sealed class ConvPruneFixtureTests
{
    private static readonly LayerStatisticsRequest Request = new(SumSquares: true, Hessian: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Sparsegpt_and_wanda_lower_the_second_conv_output_error_below_magnitude_on_real_patches(bool twoOfFour)
    {
        var model = OnnxModel.Load(Fixtures.Require("models/mnist-8.onnx"));
        var conv = GraphAnalyzer.Analyze(model).Layers.Where(l => l.Kind == LinearLayerKind.Conv).ToList()[1];
        var layer = PassLayer.OfPatches(conv);
        var statistics = Statistics(model, layer.ActivationName, 64);
        var pattern = twoOfFour ? new SparsityPattern(2, 4) : null;

        var magnitude = Prune(twoOfFour ? PruneMethod.NM : PruneMethod.Magnitude, pattern, layer, statistics);
        var wanda = Prune(PruneMethod.Wanda, pattern, layer, statistics);
        var sparseGpt = SparseGptPass.Decode(new SparseGptPass(Step(PruneMethod.SparseGpt, pattern)).ComputeLayer(layer, statistics, default));

        Assert.Equal(string.Empty, sparseGpt.Fallback);
        var errors = new[] { magnitude, wanda, sparseGpt.Weights }.Select(w => OutputError(layer.Weights, w, statistics.Hessian!)).ToArray();
        // SparseGPT minimizes exactly this error; Wanda only reweighs |w| (at 2:4 within groups of 4 channels at one
        // kernel position it does not beat magnitude on this layer: 5.84e9 vs 5.73e9), so it is held to that at 50 %.
        Assert.True(errors[2] < 0.5 * Math.Min(errors[0], errors[1]), $"magnitude {errors[0]:G4}, Wanda {errors[1]:G4}, SparseGPT {errors[2]:G4}");
        Assert.True(twoOfFour || errors[1] < errors[0], $"magnitude {errors[0]:G4}, Wanda {errors[1]:G4}");
        foreach (var w in new[] { magnitude, wanda, sparseGpt.Weights })
        {
            Assert.Equal(0.5, w.Count(v => v == 0) / (double)w.Length, 3);
            if (twoOfFour)
            {
                // [16, 8, 5, 5]: at each kernel position, every 4 consecutive input channels of an output keep 2.
                var logical = WeightLayout.Conv(layer.WeightShape).Gather(w);
                for (var g = 0; g < logical.Length; g += 4)
                {
                    Assert.Equal(2, logical.AsSpan(g, 4).ToArray().Count(v => v == 0));
                }
            }
        }
    }

    [Fact]
    public void Engine_prunes_every_conv_by_sparsegpt_reproducibly_and_from_the_cache()
    {
        using var p = new TestProject();
        var (first, sink) = CompressMnist(p, "      - prune: { method: sparsegpt, sparsity: 0.5 }", 0.03, 300, 32, "out1");
        var (second, _) = CompressMnist(p, null, 0.03, 300, 32, "out2");

        Assert.DoesNotContain(sink.Items, d => d.Code is "MC4040" or "MC4041" or "MC4003");
        var step = first.Report.Models.Single().Steps.Single();
        Assert.Equal(["Conv", "Conv", "MatMul"], step.Layers.Select(l => l.Op).Order(StringComparer.Ordinal));
        // round(0.5 · K) of each output's K inputs: 12 of 25 for the first Conv's 5×5 kernel of one channel.
        Assert.All(step.Layers, l => Assert.InRange(double.Parse(l.Note!.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), 0.48, 0.5));
        Assert.True(first.Report.Models.Single().Verification!.Passed);
        var cache = Assert.Single(second.Report.Timings.Models).Cache!;
        Assert.Equal((3, 0, 0), (cache.LayerHits, cache.LayerMisses, cache.CalibrationMisses));
        Assert.Equal(File.ReadAllBytes(p.PathOf("out1/mnist.onnx")), File.ReadAllBytes(p.PathOf("out2/mnist.onnx")));
    }

    [Theory]
    [InlineData("wanda")]
    [InlineData("pst")]
    public void Engine_weighs_mnist_convs_by_their_patches_under_wanda_and_pst(string method)
    {
        using var p = new TestProject();
        var (result, sink) = CompressMnist(p, $"      - prune: {{ method: {method}, sparsity: 0.5 }}", 0.03, 200, 16);

        Assert.DoesNotContain(sink.Items, d => d.Code is "MC4001" or "MC4003");
        var layers = result.Report.Models.Single().Steps.Single().Layers;
        Assert.Equal(2, layers.Count(l => l.Op == "Conv"));
        // PST reports the masked layer's output error on the captured patch rows, |W| mask vs its own.
        Assert.All(layers, l => Assert.Equal(method == "pst", l.Note!.Contains("output error", StringComparison.Ordinal)));
    }

    /// <summary>
    /// Writes the mnist-8 recipe of <paramref name="steps"/> (null: keeps the recipe written before) and runs the engine
    /// into <paramref name="output"/> with a per-layer cache in the project; fails the test unless the run succeeded.
    /// </summary>
    internal static (CompressResult Result, ListDiagnosticSink Sink) CompressMnist(
        TestProject p, string? steps, double maxDrop, int verify, int calibration, string output = "out")
    {
        if (steps is not null)
        {
            p.WriteRecipe(FixtureRecipe.Mnist(steps, FormattableString.Invariant($"        - {{ metric: accuracy, max_drop: {maxDrop} }}"),
                verifySamples: verify, calibrationSamples: calibration));
        }

        var sink = new ListDiagnosticSink();
        var result = p.Compress(sink, output, p.PathOf("cache"));
        Assert.True(result.Succeeded, string.Join("\n", sink.Items));
        return (result, sink);
    }

    /// <summary>The patch statistics of <paramref name="view"/> over <paramref name="images"/> test images from <paramref name="first"/> on.</summary>
    internal static LayerInputStatistics Statistics(OnnxModel model, string view, int images, LayerStatisticsRequest? request = null, int first = 0)
    {
        request ??= Request;
        Assert.True(ConvPatches.TryResolve(model.Graph, view, out var patches));
        var (pixels, _) = Mnist.TestSet(first + images);
        var source = new InMemoryCalibrationSource(
            [.. pixels.Skip(first).Select(img => (IReadOnlyList<CalibrationInput>)[new CalibrationInput("Input3", [1, 1, Mnist.Side, Mnist.Side], img)])]);
        var folded = ActivationCalibrator.Collect(
            model, [new CalibrationRequest(view, -1, false, request.CaptureRows, request.SumSquares, request.Hessian) { Patches = patches }], source, 1, default);
        return StatisticsConsumer.ToLayer(folded[view], request);
    }

    private static PruneStep Step(PruneMethod method, SparsityPattern? pattern) =>
        new(method, 0.5, pattern, [], new SourceLocation("compression.yaml", 1, 1));

    private static float[] Prune(PruneMethod method, SparsityPattern? pattern, PassLayer layer, LayerInputStatistics statistics) =>
        PrunedWeight.FromBytes(new PrunePass(Step(method, pattern)).ComputeLayer(layer, statistics, default)).Weights;

    /// <summary>Σ over output channels of ΔᵀHΔ, Δ = the change of the channel's kernel row (stored order = patch column order).</summary>
    private static double OutputError(float[] original, float[] pruned, InputHessian hessian)
    {
        var k = hessian.Channels;
        var h = hessian.Matrix();
        var total = 0.0;
        for (var m = 0; m < original.Length / k; m++)
        {
            var d = Enumerable.Range(0, k).Select(i => (double)original[(m * k) + i] - pruned[(m * k) + i]).ToArray();
            for (var a = 0; a < k; a++)
            {
                for (var b = 0; b < k; b++)
                {
                    total += d[a] * h[(a * k) + b] * d[b];
                }
            }
        }

        return total;
    }
}
