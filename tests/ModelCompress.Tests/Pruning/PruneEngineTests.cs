using ModelCompress.Data;
using ModelCompress.Engine;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Testing;
using ModelCompress.Tests.Cache;
using ModelCompress.Tests.Engine;

namespace ModelCompress.Tests.Pruning;

/// <summary>Pruning recipes through the engine on the real fixtures: the written model, ONNX Runtime, the cache, bytes.</summary>
public sealed class PruneEngineTests
{
    private const int StoriesLayers = 36;

    [Fact]
    public void Stories260k_wanda_2_of_4_writes_exact_2_of_4_weights_runs_in_ort_and_a_cached_rerun_computes_nothing()
    {
        using var p = new StoriesCacheProject(
            // A 260K-parameter model loses much at 2:4 (top-1 agreement falls to about 0.1 on 128 tokens), but its
            // logits keep their direction; the benchmarks measure perplexity.
            thresholds: "        - { metric: cosine, min: 0.9 }",
            steps: "      - prune: { method: wanda, pattern: \"2:4\", storage: dense }"); // reads the written weights
        var sink = new ListDiagnosticSink();

        var first = p.Compress("a", sink);
        var second = p.Compress("b");

        Assert.True(first.Succeeded, string.Join("\n", sink.Items));
        var step = first.Report.Models.Single().Steps.Single();
        Assert.Equal("prune", step.Pass);
        Assert.Equal(StoriesLayers, step.Layers.Count);
        Assert.True(first.Report.Models.Single().Verification!.Passed);
        Assert.Equal((StoriesLayers, 0), (second.Report.Timings.CacheHits, second.Report.Timings.CacheMisses));
        Assert.Equal(File.ReadAllBytes(p.PathOf("a/stories.onnx")), File.ReadAllBytes(p.PathOf("b/stories.onnx")));
        var model = OnnxModel.Load(p.PathOf("a/stories.onnx"));
        var checkedLayers = 0;
        foreach (var node in model.Graph.Nodes.Where(n => n.OpType == "MatMul" && model.Graph.Initializers.ContainsKey(n.Inputs[1])))
        {
            var w = model.Graph.Initializers[node.Inputs[1]];
            var (k, n) = ((int)w.Dims[0], (int)w.Dims[1]);
            var values = w.ToFloatArray();
            for (var col = 0; col < n; col++)
            {
                for (var k0 = 0; k0 < k; k0 += 4)
                {
                    Assert.True(Enumerable.Range(k0, 4).Count(r => values[(r * n) + col] != 0) <= 2, $"{node.Name} column {col} rows {k0}..{k0 + 3}");
                }
            }

            Assert.InRange(values.Count(v => v == 0) / (double)values.Length, 0.5, 0.51);
            checkedLayers++;
        }

        Assert.Equal(StoriesLayers, checkedLayers);
    }

    [Fact]
    public void Mnist8_magnitude_half_unstructured_halves_each_layer_keeps_accuracy_and_is_byte_reproducible()
    {
        using var p = MnistProject("      - prune: { method: magnitude, sparsity: 0.5, storage: dense }", "        - { metric: accuracy, max_drop: 0.03 }");
        var sink = new ListDiagnosticSink();

        var first = Compress(p, "a", sink);
        var second = Compress(p, "b", new ListDiagnosticSink());

        Assert.True(first.Succeeded, string.Join("\n", sink.Items));
        Assert.True(first.Report.Models.Single().Verification!.Passed);
        Assert.Equal(File.ReadAllBytes(p.PathOf("a/mnist.onnx")), File.ReadAllBytes(p.PathOf("b/mnist.onnx")));
        var layers = first.Report.Models.Single().Steps.Single().Layers;
        Assert.Equal(3, layers.Count);
        Assert.All(layers, l => Assert.StartsWith("sparsity 0.5", l.Note, StringComparison.Ordinal));
        var model = OnnxModel.Load(p.PathOf("a/mnist.onnx"));
        var pruned = model.Graph.Initializers.Values.Where(t => t.Name.Contains("_pruned", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, pruned.Count);
        Assert.All(pruned, t => Assert.Equal(0.5, t.ToFloatArray().Count(v => v == 0) / (double)t.ElementCount, 2));
    }

    [Fact]
    public void Mnist8_global_scope_hits_the_target_over_all_layers_with_unequal_layer_sparsities()
    {
        using var p = MnistProject("      - prune: { method: magnitude, sparsity: 0.6, scope: global, storage: dense }", "        - { metric: accuracy, max_drop: 0.5 }");

        var result = Compress(p, "out", new ListDiagnosticSink());

        var model = OnnxModel.Load(p.PathOf("out/mnist.onnx"));
        var pruned = model.Graph.Initializers.Values.Where(t => t.Name.Contains("_pruned", StringComparison.Ordinal)).Select(t => t.ToFloatArray()).ToList();
        Assert.Equal(3, pruned.Count);
        var total = pruned.Sum(w => w.Length);
        var zeros = pruned.Sum(w => w.Count(v => v == 0));
        Assert.InRange(zeros / (double)total, 0.6, 0.601);
        var perLayer = pruned.Select(w => w.Count(v => v == 0) / (double)w.Length).ToList();
        Assert.True(perLayer.Max() - perLayer.Min() > 0.05, string.Join(", ", perLayer));
        Assert.Contains("scope=\"global\"", result.Report.Models.Single().Steps.Single().Settings, StringComparison.Ordinal);
    }

    [Fact]
    public void All_zero_calibration_gives_a_valid_model_a_coded_warning_per_layer_and_no_nan()
    {
        using var p = MnistProject("      - prune: { method: wanda, sparsity: 0.5 }", "        - { metric: accuracy, max_drop: 0.5 }", zeros: true);
        var sink = new ListDiagnosticSink();

        var result = Compress(p, "out", sink);

        Assert.True(result.Succeeded, string.Join("\n", sink.Items));
        // The first Conv's patches and the MatMul's input are all zeros (MC4001); the second Conv sees the first one's
        // bias through Relu and pooling, so Wanda weighs it by its patches (no magnitude fallback, no MC4003).
        var warnings = sink.Items.Where(d => d.Code == "MC4001").ToList();
        Assert.All(warnings, w => Assert.Equal(DiagnosticSeverity.Warning, w.Severity));
        Assert.Equal(["Convolution28", "Times212"], warnings.Select(w => w.Message.Split('\'')[1]).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(sink.Items, d => d.Code == "MC4003");
        var model = OnnxModel.Load(p.PathOf("out/mnist.onnx"));
        Assert.All(model.Graph.Initializers.Values.Where(t => t.DataType == TensorDataType.Float), t => Assert.DoesNotContain(t.ToFloatArray(), float.IsNaN));
        var logits = OrtRun.Run(p.PathOf("out/mnist.onnx"), OrtInput.Float("Input3", new float[784], 1, 1, 28, 28)).Single().Floats;
        Assert.All(logits, v => Assert.True(float.IsFinite(v)));
    }

    private static TestProject MnistProject(string steps, string thresholds, bool zeros = false)
    {
        var p = new TestProject();
        string? calibration = null;
        if (zeros)
        {
            calibration = p.AddArrays("data/zeros.npz", new Dictionary<string, NdArray> { ["Input3"] = NdArray.FromFloats(new float[4 * 784], 4, 1, 28, 28) });
        }

        p.WriteRecipe(FixtureRecipe.Mnist(steps, thresholds, verifySamples: 500, calibrationSamples: 16, calibrationData: calibration));
        return p;
    }

    private static CompressResult Compress(TestProject p, string output, ListDiagnosticSink sink) =>
        ModelCompressEngine.Compress(p.LoadRecipe(), new CompressOptions(p.PathOf(output)), sink, CancellationToken.None);
}
