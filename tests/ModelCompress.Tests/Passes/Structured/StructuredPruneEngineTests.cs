using ModelCompress.Engine;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Tests.Cache;

namespace ModelCompress.Tests.Passes.Structured;

/// <summary>Structured pruning through the engine (recipe → pass → cache → gate) on stories260K.</summary>
public sealed class StructuredPruneEngineTests
{
    private const string Prune = "      - prune: { method: structured, sparsity: 0.25 }";

    // A quarter of a 260K-parameter model's MLP channels is a large cut (its top-1 agreement with fp32 is about 0.4);
    // the gate here checks that the gate runs on the pruned model, the benchmarks measure the accuracy cost.
    private const string LooseGate = "        - { metric: top1_agreement, min: 0.3 }";

    [Fact]
    public void Activation_importance_is_cached_per_structure_and_a_second_run_computes_nothing_and_writes_the_same_bytes()
    {
        using var p = new StoriesCacheProject(LooseGate, steps: Prune);
        var sink = new ListDiagnosticSink();

        var uncached = p.Compress("plain", sink, useCache: false);
        var first = p.Compress("first");
        var second = p.Compress("second");

        Assert.True(uncached.Succeeded, string.Join("\n", sink.Items));
        var step = Assert.Single(Assert.Single(uncached.Report.Models).Steps);
        Assert.Equal("structured_prune", step.Pass);
        Assert.Equal(5, step.Layers.Count);
        Assert.All(step.Layers, l => Assert.Contains("kept 129 of 172 (activation importance)", l.Note, StringComparison.Ordinal));
        Assert.Equal((0, 5), (CacheScenarioTests.CacheOf(first).LayerHits, CacheScenarioTests.CacheOf(first).LayerMisses));
        Assert.Equal((5, 0), (CacheScenarioTests.CacheOf(second).LayerHits, CacheScenarioTests.CacheOf(second).LayerMisses));
        var plain = File.ReadAllBytes(p.PathOf("plain/stories.onnx"));
        Assert.Equal(plain, File.ReadAllBytes(p.PathOf("first/stories.onnx")));
        Assert.Equal(plain, File.ReadAllBytes(p.PathOf("second/stories.onnx")));
        Assert.True(plain.Length < new FileInfo(p.ModelPath).Length);
    }

    [Fact]
    public void Activation_and_weight_importance_choose_different_channels()
    {
        using var p = new StoriesCacheProject(LooseGate, steps: Prune);
        var activation = p.Compress("activation", useCache: false);
        p.WriteRecipe(LooseGate, "      - prune: { method: structured, sparsity: 0.25, importance: weight }");
        var weight = p.Compress("weight", useCache: false);

        Assert.True(activation.Succeeded && weight.Succeeded);
        var a = OnnxModel.Load(p.PathOf("activation/stories.onnx")).Graph.Initializers.Values.Where(t => t.Dims is [129, 64]).ToList();
        var w = OnnxModel.Load(p.PathOf("weight/stories.onnx")).Graph.Initializers.Values.Where(t => t.Dims is [129, 64]).ToList();
        Assert.Equal(5, a.Count);
        Assert.NotEqual(a[0].ToFloatArray(), w[0].ToFloatArray());
    }

    [Fact]
    public void Pruned_model_takes_smoothquant_and_static_int8_after_it_and_passes_a_loose_gate()
    {
        using var p = new StoriesCacheProject(LooseGate, steps: Prune + "\n      - smoothquant: { alpha: 0.5 }\n      - quantize: { mode: static }");
        var sink = new ListDiagnosticSink();

        var result = p.Compress("out", sink, useCache: false);

        Assert.True(result.Succeeded, string.Join("\n", sink.Items));
        var m = Assert.Single(result.Report.Models);
        Assert.Equal(["structured_prune", "smoothquant", "static_int8_qdq"], m.Steps.Select(s => s.Pass));
        Assert.True(m.Verification!.Passed);
        var output = OnnxModel.Load(p.PathOf("out/stories.onnx"));
        Assert.Contains(output.Graph.Initializers.Values, t => t.DataType == TensorDataType.Int8 && t.Dims is [129, 64]);
    }
}
