using ModelCompress.Analysis;
using ModelCompress.Calibration;
using ModelCompress.Engine;
using ModelCompress.Onnx;
using ModelCompress.Passes;
using ModelCompress.Quantization;
using ModelCompress.Tests.Cache;
using Xunit.Abstractions;
using static ModelCompress.Tests.Quantization.ObsSolverTests;

namespace ModelCompress.Tests.Quantization;

/// <summary>
/// SparseGPT's pruner: exact masks (N:M per group of M inputs, the same unstructured share for every output), and on
/// real activations of stories260K (the layer input's Hessian gathered by the engine's calibration) a much smaller
/// output error than magnitude pruning at the same sparsity.
/// </summary>
public sealed class SparseGptTests(ITestOutputHelper output)
{
    private static (double[] Rows, double[] Hessian, int N, int K) RealLayer(string name)
    {
        using var p = new StoriesCacheProject(steps: "      - prune: { method: sparsegpt, sparsity: 0.5 }");
        var recipe = p.LoadRecipe();
        var model = recipe.Models[0];
        var onnx = OnnxModel.Load(model.SourcePath);
        var layer = GraphAnalyzer.Analyze(onnx).Layers.Single(l => l.Name == name);
        var stats = ModelCompressEngine.CollectStatistics(
            model, model.Steps[0], onnx, [layer.InputName], new CompressOptions(p.PathOf("out")), CancellationToken.None, new LayerStatisticsRequest(Hessian: true));
        var hessian = stats[layer.InputName].Hessian!;
        Assert.Equal(8 * StoriesCacheProject.SeqLen, hessian.Rows);
        var (k, n) = (layer.InFeatures, layer.OutFeatures);
        var kn = layer.WeightKN();
        var rows = new double[n * k];
        for (var i = 0; i < k; i++)
        {
            for (var j = 0; j < n; j++)
            {
                rows[(j * k) + i] = kn[(i * n) + j];
            }
        }

        return (rows, hessian.Matrix(), n, k);
    }

    private static double[] Pruned(double[] rows, int n, int k, double sparsity, int block, int keep, int group, InverseHessianFactor? factor)
    {
        var w = (double[])rows.Clone();
        SparseGptPruner.Prune(w, n, k, sparsity, block, keep, group, factor);
        return w;
    }

    [Fact]
    public void Two_of_four_keeps_exactly_two_in_every_group_of_four_inputs_and_unstructured_keeps_each_rows_share()
    {
        const int n = 8, k = 64;
        var (x, _) = CorrelatedInputs(256, k, 12);
        var h = HessianOf(x, k);
        var w = RandomRows(n, k, 2);
        Assert.True(InverseHessianFactor.TryCreate(h, k, 0.01, out var factor, out _));

        var nm = Pruned(w, n, k, 0.5, 128, 2, 4, factor);
        var unstructured = Pruned(w, n, k, 0.3, 16, 0, 0, factor);

        for (var r = 0; r < n; r++)
        {
            for (var g = 0; g < k; g += 4)
            {
                Assert.Equal(2, Enumerable.Range(g, 4).Count(c => nm[(r * k) + c] == 0));
            }

            Assert.Equal((int)Math.Round(0.3 * k, MidpointRounding.ToEven), Enumerable.Range(0, k).Count(c => unstructured[(r * k) + c] == 0));
        }

        Assert.All(nm, v => Assert.True(double.IsFinite(v)));
    }

    [Theory]
    [InlineData("layers.0.attention.wq", 0.5, 0, 0)]
    [InlineData("layers.4.feed_forward.w2", 0.5, 0, 0)]
    [InlineData("layers.2.feed_forward.w1", 0.5, 2, 4)]
    public void On_real_activations_sparsegpt_reconstructs_the_layer_output_better_than_magnitude(string layer, double sparsity, int keep, int group)
    {
        var (rows, h, n, k) = RealLayer(layer);
        Assert.True(InverseHessianFactor.TryCreate(h, k, 0.01, out var factor, out _));

        // Magnitude: per output, the smallest |w| over the whole row (or of each group of M), no weight updates.
        var magnitude = OutputError(rows, Pruned(rows, n, k, sparsity, k, keep, group, null), h, n, k);
        var sparseGpt = OutputError(rows, Pruned(rows, n, k, sparsity, 128, keep, group, factor), h, n, k);

        output.WriteLine(FormattableString.Invariant($"{layer} {(group > 0 ? $"{keep}:{group}" : $"{sparsity:P0}")}: SparseGPT/magnitude output error {sparseGpt / magnitude:F3}"));
        Assert.True(sparseGpt < 0.8 * magnitude, $"{layer}: SparseGPT {sparseGpt:G4} vs magnitude {magnitude:G4}");
    }
}
