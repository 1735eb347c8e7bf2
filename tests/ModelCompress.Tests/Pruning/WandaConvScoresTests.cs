using ModelCompress.Analysis;
using ModelCompress.Calibration;
using ModelCompress.Execution;
using ModelCompress.Onnx;
using ModelCompress.Passes;
using ModelCompress.Pruning;
using ModelCompress.Recipe;
using ModelCompress.Tests.Calibration;
using ModelCompress.Tests.Quantization;

namespace ModelCompress.Tests.Pruning;

/// <summary>
/// Wanda on a Conv through the engine's calibration and the prune pass, against a reference written here from the
/// definition: S(m, c, s) = |W[m, c, s]| · ‖X(g·C/g·k + c·k + s)‖₂ over brute-force im2col patch columns of output m's
/// group g, the same unfolded column j for the weight and its statistics; 2:4 keeps the 2 highest of every 4
/// consecutive input channels at one kernel position of one output, unstructured the highest half of each output's row.
/// Grouped k×k with pads and strides (the group's columns are offset), 1×1, and depthwise 1-D.
/// </summary>
public sealed class WandaConvScoresTests
{
    [Theory]
    [InlineData("2d-grouped-3x3", true)]
    [InlineData("2d-dense-1x1", true)]
    [InlineData("2d-grouped-3x3", false)]
    [InlineData("1d-depthwise-same", false)]
    public void Wanda_keeps_the_highest_brute_force_scores_in_every_comparison_group(string name, bool twoOfFour)
    {
        var c = ConvPatchStatisticsTests.Case.Of(name);
        var model = c.Model();
        var layer = PassLayer.OfPatches(GraphAnalyzer.Analyze(model).Layers.Single());
        var source = QuantTestModels.Samples("x", 3, c.InputShape, scale: 2f);
        var request = new LayerStatisticsRequest(SumSquares: true);
        var statistics = ActivationStatisticsCollector.Collect(model, [layer.ActivationName], source, null, default, request)[layer.ActivationName];
        var step = new PruneStep(PruneMethod.Wanda, 0.5, twoOfFour ? new SparsityPattern(2, 4) : null, [], new SourceLocation("compression.yaml", 1, 1));

        var pruned = PrunedWeight.FromBytes(new PrunePass(step).ComputeLayer(layer, statistics, default));

        Assert.Equal(PruneOutcome.None, pruned.Outcome);
        var k = c.GroupColumns;
        var positions = (int)c.KernelShape.Skip(2).Aggregate(1L, (a, b) => a * b);
        var channels = k / positions;
        var outputs = (int)c.KernelShape[0];
        var norms = new double[c.Groups * k];
        foreach (var row in source.Samples().SelectMany(s => c.BruteForcePatches((float[])s[0].Data)))
        {
            for (var j = 0; j < norms.Length; j++)
            {
                norms[j] += (double)row[j] * row[j];
            }
        }

        var w = layer.Weights;
        double Score(int m, int j) => Math.Abs(w[(m * k) + j]) * Math.Sqrt(norms[(m / (outputs / c.Groups) * k) + j]);
        for (var m = 0; m < outputs; m++)
        {
            // Comparison groups as stored-column lists: 4 consecutive channels at one position, or the whole row.
            var groups = twoOfFour
                ? from s in Enumerable.Range(0, positions) from c0 in Enumerable.Range(0, channels / 4) select Enumerable.Range(c0 * 4, 4).Select(ch => (ch * positions) + s).ToArray()
                : new[] { Enumerable.Range(0, k).ToArray() };
            foreach (var group in groups)
            {
                var kept = group.Where(j => pruned.Weights[(m * k) + j] != 0).ToList();
                var dropped = group.Where(j => pruned.Weights[(m * k) + j] == 0).ToList();
                Assert.Equal(twoOfFour ? 2 : group.Length - (int)Math.Round(0.5 * group.Length, MidpointRounding.AwayFromZero), kept.Count);
                Assert.All(kept, j => Assert.Equal(w[(m * k) + j], pruned.Weights[(m * k) + j]));
                Assert.True(kept.Min(j => Score(m, j)) >= dropped.Max(j => Score(m, j)), $"output {m}: kept {string.Join(",", kept)} dropped {string.Join(",", dropped)}");
            }
        }
    }
}
