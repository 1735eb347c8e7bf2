using ModelCompress.Analysis;
using ModelCompress.Calibration;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Passes;
using ModelCompress.Pruning;
using ModelCompress.Recipe;
using ModelCompress.Testing;

namespace ModelCompress.Tests.Passes;

/// <summary>
/// Layer-wise distillation of pruned Conv kernels on the real mnist-8 (magnitude 50 % → distill, 32 calibration
/// images): each Conv is re-fitted on its unfolded input patches (its zeros kept), its output error against the
/// teacher's falls on the captured rows and on 16 held-out images, and a second run reads every layer from the cache.
/// </summary>
public sealed class ConvDistillFixtureTests
{
    [Fact]
    public void Pruned_convs_are_refitted_and_their_output_error_falls_on_held_out_images()
    {
        using var p = new TestProject();
        var (first, sink) = ConvPruneFixtureTests.CompressMnist(
            p, "      - prune: { method: magnitude, sparsity: 0.5 }\n      - distill: { teacher: source, rows: 1024 }", 0.05, 200, 32, "out1");
        var (second, _) = ConvPruneFixtureTests.CompressMnist(p, null, 0.05, 200, 32, "out2");

        Assert.DoesNotContain(sink.Items, d => d.Severity == DiagnosticSeverity.Warning);
        var distill = first.Report.Models.Single().Steps[1];
        var convs = distill.Layers.Where(l => l.Op == "Conv").ToList();
        Assert.Equal(2, convs.Count);
        foreach (var l in convs)
        {
            // "float: MSE vs the teacher's output a -> b" with b < a on the captured rows.
            var mse = l.Note!.Split(' ')[^3..].Where(t => t != "->").Select(t => double.Parse(t, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            Assert.True(mse[1] < mse[0], l.Note);
        }

        var cache = Assert.Single(second.Report.Timings.Models).Cache!;
        Assert.Equal(0, cache.LayerMisses);
        Assert.Equal(File.ReadAllBytes(p.PathOf("out1/mnist.onnx")), File.ReadAllBytes(p.PathOf("out2/mnist.onnx")));

        // The first Conv reads the image itself, so its output error on held-out images is a function of its weights alone.
        var teacher = OnnxModel.Load(Fixtures.Require("models/mnist-8.onnx"));
        var conv = GraphAnalyzer.Analyze(teacher).Layers.First(l => l.Kind == LinearLayerKind.Conv);
        var rows = ConvPruneFixtureTests.Statistics(teacher, ConvPatches.ViewName(conv.Node), 16, new LayerStatisticsRequest(CaptureRows: 1 << 20), first: 9000).Rows!;
        var step = new PruneStep(PruneMethod.Magnitude, 0.5, null, [], new SourceLocation("compression.yaml", 1, 1));
        var pruned = PrunedWeight.FromBytes(new PrunePass(step).ComputeLayer(PassLayer.Of(conv), null, default)).Weights;
        var student = OnnxModel.Load(p.PathOf("out1/mnist.onnx")).Graph;
        var node = student.Nodes.Single(n => n.Name == conv.Node.Name);
        var distilled = student.Initializers[node.Inputs[1]].ToFloatArray();
        // mnist-8 adds the Conv biases in a separate Add, which distillation leaves as it is.
        var bias = conv.BiasValues(teacher.Graph) ?? new float[conv.OutFeatures];
        var newBias = node.Inputs.Count > 2 ? student.Initializers[node.Inputs[2]].ToFloatArray() : bias;

        Assert.Equal(distilled.Select(v => v == 0), pruned.Select(v => v == 0));
        var before = Error(rows, conv.Weight.ToFloatArray(), bias, pruned, bias);
        var after = Error(rows, conv.Weight.ToFloatArray(), bias, distilled, newBias);
        Assert.True(after < 0.8 * before, $"held-out output MSE {before:G4} pruned, {after:G4} distilled");
    }

    [Fact]
    public void Convs_with_integer_kernels_are_named_and_left_as_they_are()
    {
        using var p = new TestProject();
        var (result, sink) = ConvPruneFixtureTests.CompressMnist(
            p, "      - quantize: { mode: static, weights: int8, activations: uint8, per_channel: true }\n      - distill: { teacher: source, rows: 256 }", 0.05, 100, 16);

        var notes = sink.Items.Where(d => d.Code == "MC4220").ToList();
        Assert.Equal(["Convolution110", "Convolution28"], notes.Select(d => d.Message.Split('\'')[1]).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(result.Report.Models.Single().Steps[1].Layers, l => l.Op == "Conv");
    }

    /// <summary>Mean squared difference of the outputs x·w + b of two kernels [M, k] over patch rows [R, k].</summary>
    private static double Error(float[] rows, float[] w0, float[] b0, float[] w1, float[] b1)
    {
        var m = b0.Length;
        var k = w0.Length / m;
        var total = 0.0;
        for (var r = 0; r < rows.Length / k; r++)
        {
            for (var o = 0; o < m; o++)
            {
                var d = (double)b0[o] - b1[o];
                for (var i = 0; i < k; i++)
                {
                    d += (double)rows[(r * k) + i] * (w0[(o * k) + i] - w1[(o * k) + i]);
                }

                total += d * d;
            }
        }

        return total / (rows.Length / k * m);
    }
}
