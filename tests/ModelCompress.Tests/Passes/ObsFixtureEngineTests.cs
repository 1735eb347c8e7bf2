using ModelCompress.Engine;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Testing;
using ModelCompress.Tests.Cache;
using ModelCompress.Tests.Engine;
using static ModelCompress.Tests.Quantization.QuantizeTestSupport;

namespace ModelCompress.Tests.Passes;

/// <summary>
/// GPTQ int4 and SparseGPT 2:4 on the real stories260K model through a recipe and the engine (8 calibration windows
/// of Tiny Shakespeare): a valid model that ONNX Runtime runs (the gate's verification) and fuses, the expected
/// size, a second run with the cache computes nothing and calibrates nothing, and the bytes are the same.
/// </summary>
public sealed class ObsFixtureEngineTests
{
    [Fact]
    public void Stories260k_gptq_int4_runs_fuses_shrinks_and_is_cached_and_reproducible()
    {
        using var p = new StoriesCacheProject(
            thresholds: "        - { metric: top1_agreement, min: 0.5 }",
            steps: "      - quantize: { weights: int4, algorithm: gptq, block_size: 32 }");
        var sink = new ListDiagnosticSink();

        var first = p.Compress("out1", sink);
        var second = p.Compress("out2");

        Assert.True(first.Succeeded, string.Join("\n", sink.Items));
        Assert.DoesNotContain(sink.Items, d => d.Severity == DiagnosticSeverity.Warning);
        var m = first.Report.Models.Single();
        Assert.Equal("int4_gptq", m.Steps[0].Pass);
        Assert.Equal(36, m.Steps[0].Layers.Count);
        Assert.True(m.Verification!.Passed);
        // Quantized: 4 bits per weight plus a float scale per 32 (5 bits per weight); the embedding stays float.
        Assert.All(m.Steps[0].Layers, l => Assert.True(l.BytesAfter < 0.17 * l.BytesBefore, $"{l.Name}: {l.BytesAfter} of {l.BytesBefore}"));
        var cache = Assert.Single(second.Report.Timings.Models).Cache!;
        Assert.Equal((36, 0, 0), (cache.LayerHits, cache.LayerMisses, cache.CalibrationMisses));
        Assert.Equal(File.ReadAllBytes(p.PathOf("out1/stories.onnx")), File.ReadAllBytes(p.PathOf("out2/stories.onnx")));
        Assert.Contains("MatMulNBits", OptimizedOps(OnnxModel.Load(p.PathOf("out1/stories.onnx"))));
    }

    [Fact]
    public void Stories260k_sparsegpt_two_of_four_is_exact_cached_and_reproducible()
    {
        using var p = new StoriesCacheProject(
            thresholds: "        - { metric: cosine, min: 0.9 }",
            steps: "      - prune: { method: sparsegpt, pattern: \"2:4\", storage: dense }"); // reads the written weights
        var sink = new ListDiagnosticSink();

        var first = p.Compress("out1", sink);
        var second = p.Compress("out2");
        var uncached = p.Compress("out3", useCache: false);

        Assert.True(first.Succeeded, string.Join("\n", sink.Items));
        var m = first.Report.Models.Single();
        Assert.Equal("sparsegpt", m.Steps[0].Pass);
        Assert.All(m.Steps[0].Layers, l => Assert.Equal("sparsity 0.5000", l.Note));
        var cache = Assert.Single(second.Report.Timings.Models).Cache!;
        Assert.Equal((36, 0, 0), (cache.LayerHits, cache.LayerMisses, cache.CalibrationMisses));
        var bytes = File.ReadAllBytes(p.PathOf("out1/stories.onnx"));
        Assert.Equal(bytes, File.ReadAllBytes(p.PathOf("out2/stories.onnx")));
        Assert.Equal(bytes, File.ReadAllBytes(p.PathOf("out3/stories.onnx")));
        var output = OnnxModel.Load(p.PathOf("out1/stories.onnx"));
        var pruned = output.Graph.Initializers.Values.Where(t => t.Name.EndsWith("_sparse", StringComparison.Ordinal)).ToList();
        Assert.Equal(36, pruned.Count);
        foreach (var t in pruned)
        {
            // [K, N]: every group of 4 consecutive inputs of each output keeps exactly 2 (the weights are never exactly 0 before).
            var (k, n) = ((int)t.Dims[0], (int)t.Dims[1]);
            var w = t.ToFloatArray();
            Assert.All(w, v => Assert.True(float.IsFinite(v)));
            for (var j = 0; j < n; j++)
            {
                for (var g = 0; g < k; g += 4)
                {
                    Assert.Equal(2, Enumerable.Range(g, 4).Count(i => w[(i * n) + j] == 0));
                }
            }
        }
    }

    [Theory]
    [InlineData("quantize: { weights: int4, algorithm: gptq, block_size: 32 }", "MC3201")]
    [InlineData("prune: { method: sparsegpt, sparsity: 0.5 }", null)]
    public void Mnist8_reshaped_matmul_weight_is_replaced_not_kept_and_the_model_still_classifies(string step, string? convNote)
    {
        using var p = new TestProject();
        var source = Fixtures.Require("models/mnist-8.onnx");
        p.WriteRecipe(FixtureRecipe.Mnist("      - " + step, "        - { metric: accuracy, max_drop: 0.02 }", verifySamples: 300, calibrationSamples: 64));
        var sink = new ListDiagnosticSink();

        var result = p.Compress(sink);

        Assert.True(result.Succeeded, string.Join("\n", sink.Items));
        // int4 leaves the two Convs float; SparseGPT prunes them too, on their input patches.
        Assert.Equal(convNote is null, !sink.Items.Any(d => d.Code == convNote && d.Message.Contains("2 Conv", StringComparison.Ordinal)));
        Assert.Equal(convNote is null ? 3 : 1, result.Report.Models[0].Steps[0].Layers.Count);
        Assert.True(result.Report.Models[0].Verification!.Passed);
        // The float MatMul weight (a Reshape of a 4-D parameter in this export) is gone: the file is not larger.
        Assert.True(new FileInfo(p.PathOf("out/mnist.onnx")).Length <= new FileInfo(source).Length + 512);
        var output = OnnxModel.Load(p.PathOf("out/mnist.onnx"));
        Assert.DoesNotContain(output.Graph.Nodes, n => n.OpType == "Reshape" && output.Graph.GetConsumers(n.Outputs[0]).Count == 0);
    }
}
