using ModelCompress.Engine;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Reports;
using ModelCompress.Testing;
using ModelCompress.Tests.Engine;
using static ModelCompress.Tests.Quantization.QuantizeTestSupport;

namespace ModelCompress.Tests.Passes;

/// <summary>
/// The smoothquant and quantize (static, dynamic) steps through the engine on generated models: the output runs in
/// ONNX Runtime with int8 kernels, weights are int8, outputs stay close to float, reports carry α and MSE curves,
/// and the same inputs give the same bytes (with and without the per-layer cache).
/// </summary>
public sealed class QuantizationPassEngineTests
{
    private static TestProject GptProject(string steps, string thresholds = "        - { metric: cosine, min: 0.995 }", OnnxModel? model = null, int d = 64) =>
        TestProject.GptBlock(steps, thresholds, model, d);

    private static CompressResult Compress(TestProject p, string output, ListDiagnosticSink sink, string? cache = null) =>
        p.Compress(sink, output, cache);

    [Theory]
    [InlineData("minmax", "uint8")]
    [InlineData("percentile", "uint8")]
    [InlineData("entropy", "int8")]
    public void Static_quantize_writes_a_qdq_model_with_int8_weights_that_onnx_runtime_fuses(string method, string activations)
    {
        using var p = GptProject($"      - quantize: {{ mode: static, activations: {activations}, method: {method} }}");
        var sink = new ListDiagnosticSink();

        var result = Compress(p, "out", sink);

        Assert.True(result.Succeeded, string.Join("\n", sink.Items));
        Assert.DoesNotContain(sink.Items, d => d.Severity != DiagnosticSeverity.Info);
        var step = Assert.Single(result.Report.Models[0].Steps);
        Assert.Equal("static_int8_qdq", step.Pass);
        Assert.Equal(4, step.Layers.Count);
        Assert.All(step.Layers, l => Assert.StartsWith("input " + method + " range", l.Note, StringComparison.Ordinal));
        var output = OnnxModel.Load(p.PathOf("out/gpt.onnx"));
        Assert.Equal(4, output.Graph.Nodes.Count(n => n.OpType == "QuantizeLinear"));
        Assert.Equal(4, output.Graph.Initializers.Values.Count(t => t.DataType == TensorDataType.Int8 && t.Rank == 2));
        Assert.DoesNotContain(output.Graph.Initializers.Values, t => t.DataType == TensorDataType.Float && t.Rank == 2 && t.Dims[0] > 1);
        Assert.Contains("MatMulIntegerToFloat", OptimizedOps(output));
        Assert.True(result.Report.Models[0].Verification!.Passed);
    }

    [Fact]
    public void Static_quantize_without_calibration_is_refused_at_the_step_line()
    {
        using var p = GptProject("      - quantize: { mode: static }");
        p.WriteRecipe(File.ReadAllText(p.PathOf("compression.yaml")).Replace("    calibration: { data: data/calib.npz, samples: 8 }\n", string.Empty, StringComparison.Ordinal));
        var sink = new ListDiagnosticSink();

        Assert.Null(global::ModelCompress.Recipe.RecipeLoader.Load(p.PathOf("compression.yaml"), global::ModelCompress.Recipe.RecipeLoadOptions.Default, sink));

        var error = Assert.Single(sink.Items, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal(("MC2021", 6), (error.Code, error.Line));
    }

    [Fact]
    public void Dynamic_quantize_writes_DynamicQuantizeLinear_and_MatMulInteger_with_int8_weights()
    {
        using var p = GptProject("      - quantize: { mode: dynamic }");
        var sink = new ListDiagnosticSink();

        var result = Compress(p, "out", sink);

        Assert.True(result.Succeeded, string.Join("\n", sink.Items));
        var step = Assert.Single(result.Report.Models[0].Steps);
        Assert.Equal("dynamic_int8", step.Pass);
        Assert.Equal(4, step.Layers.Count);
        var output = OnnxModel.Load(p.PathOf("out/gpt.onnx"));
        Assert.Equal(4, output.Graph.Nodes.Count(n => n.OpType == "DynamicQuantizeLinear"));
        Assert.Equal(4, output.Graph.Nodes.Count(n => n.OpType == "MatMulInteger"));
        Assert.Equal(4, output.Graph.Initializers.Values.Count(t => t.DataType == TensorDataType.Int8 && t.Rank == 2));
        Assert.All(step.Layers, l => Assert.InRange(l.BytesAfter, 1, (l.BytesBefore / 4) + (l.Shape[1] * 5)));
    }

    [Fact]
    public void Smoothquant_auto_records_alpha_and_mse_curve_per_layer_and_combines_shared_inputs()
    {
        using var p = GptProject(
            "      - smoothquant: { alpha: auto, alpha_range: [0.3, 0.7], alpha_step: 0.1, combine: max }\n      - quantize: { mode: static }");
        var sink = new ListDiagnosticSink();

        var result = Compress(p, "out", sink);

        Assert.True(result.Succeeded, string.Join("\n", sink.Items));
        var smooth = result.Report.Models[0].Steps[0];
        Assert.Equal("smoothquant", smooth.Pass);
        Assert.Equal(4, smooth.Layers.Count);
        foreach (var layer in smooth.Layers)
        {
            var search = layer.AlphaSearch!;
            Assert.Equal([0.3, 0.4, 0.5, 0.6, 0.7], search.Curve.Select(c => Math.Round(c.Alpha, 10)));
            Assert.All(search.Curve, c => Assert.True(c.Mse > 0 && double.IsFinite(c.Mse)));
            ModelCompress.Tests.Quantization.AlphaSelectionTests.AssertOneStandardErrorChoice(search.Curve, search.BestAlpha!.Value);
            Assert.Contains(layer.Alpha!.Value, search.Curve.Select(c => c.Alpha));
        }

        // Each linear layer of this block reads its own input (fused QKV): a group of one keeps its own best α.
        Assert.All(smooth.Layers, l => Assert.Equal(l.AlphaSearch!.BestAlpha, l.Alpha));
        var json = System.Text.Encoding.UTF8.GetString(ReportJson.ToUtf8(result.Report));
        Assert.Contains("\"alpha_search\"", json, StringComparison.Ordinal);
        Assert.Contains("\"curve\"", json, StringComparison.Ordinal);
        Assert.True(result.Report.Models[0].Verification!.Passed);
    }

    [Theory]
    [InlineData("min")]
    [InlineData("max")]
    [InlineData("mean")]
    public void Smoothquant_auto_combines_the_best_alphas_of_layers_sharing_a_norm(string combine)
    {
        // The gate holds both outputs: y (the q/k/v branch) and z (the gated MLP fed by the outlier channel, cosine ≈ 0.994).
        using var p = GptProject(
            $"      - smoothquant: {{ alpha: auto, combine: {combine} }}\n      - quantize: {{ mode: static }}",
            thresholds: "        - { metric: cosine, min: 0.99 }",
            model: Quantization.QuantTestModels.SharedInputs(),
            d: 32);
        var sink = new ListDiagnosticSink();

        var result = Compress(p, "out", sink);

        Assert.True(result.Succeeded, string.Join("\n", sink.Items));
        var layers = result.Report.Models[0].Steps[0].Layers;
        var qkv = layers.Where(l => l.Name is "/q/MatMul" or "/k/MatMul" or "/v/MatMul").ToList();
        Assert.Equal(3, qkv.Count);
        var best = qkv.Select(l => l.AlphaSearch!.BestAlpha!.Value).ToList();
        var expected = combine switch { "min" => best.Min(), "max" => best.Max(), _ => Math.Round(best.Average(), 10) };
        Assert.All(qkv, l => Assert.Equal(expected, l.Alpha!.Value, 9));
        Assert.All(qkv, l => Assert.StartsWith("folded into", l.Note, StringComparison.Ordinal));
    }

    [Fact]
    public void Smoothquant_auto_then_static_is_deterministic_and_the_cache_gives_the_same_bytes()
    {
        using var p = GptProject("      - smoothquant: { alpha: auto }\n      - quantize: { mode: static, method: percentile }");
        var cache = p.PathOf("cache");

        var first = Compress(p, "a", new ListDiagnosticSink());
        var second = Compress(p, "b", new ListDiagnosticSink());
        var cached = Compress(p, "c", new ListDiagnosticSink(), cache);
        var hit = Compress(p, "d", new ListDiagnosticSink(), cache);

        var bytes = File.ReadAllBytes(p.PathOf("a/gpt.onnx"));
        Assert.Equal(bytes, File.ReadAllBytes(p.PathOf("b/gpt.onnx")));
        Assert.Equal(bytes, File.ReadAllBytes(p.PathOf("c/gpt.onnx")));
        Assert.Equal(bytes, File.ReadAllBytes(p.PathOf("d/gpt.onnx")));
        Assert.Equal(Steps(first), Steps(second));
        Assert.Equal(Steps(first), Steps(hit));
        Assert.Equal(0, cached.Report.Timings.CacheHits);
        Assert.Equal(0, hit.Report.Timings.CacheMisses);
        Assert.Equal(cached.Report.Timings.CacheMisses, hit.Report.Timings.CacheHits);
    }

    private static string Steps(CompressResult r) =>
        string.Join("\n", r.Report.Models[0].Steps.SelectMany(s => s.Layers).Select(l => l.ToString() + string.Join(",", l.AlphaSearch?.Curve ?? [])));
}
