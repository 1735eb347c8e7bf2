using ModelCompress.Testing;
using System.Text.Json.Nodes;
using ModelCompress.Engine;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Reports;

namespace ModelCompress.Tests.Engine;

public sealed class CompressEngineTests
{
    private static CompressResult Run(TestProject p, ListDiagnosticSink sink, string output = "out",
        Func<CompressOptions, CompressOptions>? configure = null, CancellationToken ct = default)
    {
        var options = new CompressOptions(p.PathOf(output)) { ManifestPath = p.PathOf(output + ".manifest"), DepFilePath = p.PathOf(output + ".d") };
        options = configure?.Invoke(options) ?? options;
        return ModelCompressEngine.Compress(p.LoadRecipe(), options, sink, ct);
    }

    [Fact]
    public void Weight_only_int8_mlp_runs_in_onnx_runtime_close_to_fp32_at_about_a_quarter_of_the_size()
    {
        using var p = TestProject.Mlp();
        var sink = new ListDiagnosticSink();

        var result = Run(p, sink);

        Assert.True(result.Succeeded, string.Join("\n", sink.Items));
        Assert.False(result.AccuracyBudgetExceeded);
        var m = Assert.Single(result.Report.Models);
        Assert.InRange(m.SizeRatio, 0.26, 0.30);
        Assert.Equal(3, m.Steps.Single().Layers.Count);
        Assert.All(m.Steps.Single().Layers, l => Assert.Matches("^[0-9a-f]{64}$", l.Key));
        var v = m.Verification!;
        Assert.True(v.Passed);
        Assert.Equal(32, v.Metrics.Samples);
        Assert.InRange(v.Metrics.Cosine, 0.999, 1.0);
        Assert.InRange(v.Metrics.Top1Agreement, 0.9, 1.0);
        Assert.InRange(v.Metrics.MaxAbsError, 1e-7, 0.1); // changed, but only a little

        var model = OnnxModel.Load(p.PathOf("out/mlp.onnx"));
        Assert.Equal(3, model.Graph.Nodes.Count(n => n.OpType == "DequantizeLinear"));
        Assert.Equal(3, model.Graph.Initializers.Values.Count(t => t.DataType == TensorDataType.Int8 && t.Rank == 2));
        Assert.DoesNotContain(model.Graph.Initializers.Values, t => t.Name.EndsWith(".weight", StringComparison.Ordinal));
        Assert.DoesNotContain(model.Validate(), d => d.Severity == DiagnosticSeverity.Error);
    }

    [Fact]
    public void Conv_and_transposed_gemm_weights_are_quantized_along_their_output_channels()
    {
        using var p = new TestProject();
        p.AddModel("m.onnx", SampleModels.ConvNet());
        p.AddRandomData("v.npz", 2, ("input", [8, 1, 28, 28]));
        p.WriteRecipe("""
            version: 1
            models:
              - name: cnn
                source: m.onnx
                steps:
                  - quantize: { mode: weight_only }
                verify:
                  data: v.npz
                  thresholds:
                    - { metric: top1_agreement, min: 0.85 }
                    - { metric: snr_db, min: 25 }
            """);
        var sink = new ListDiagnosticSink();

        var result = Run(p, sink);

        Assert.True(result.Succeeded, string.Join("\n", sink.Items));
        var model = OnnxModel.Load(p.PathOf("out/cnn.onnx"));
        var axes = model.Graph.Nodes.Where(n => n.OpType == "DequantizeLinear").Select(n => n.GetInt("axis", -99)).ToList();
        Assert.Equal([0L, 0L, 0L], axes); // two Conv kernels [M, C, kh, kw] and the Gemm B [N, K] with transB = 1
        Assert.InRange(result.Report.Models[0].SizeRatio, 0.25, 0.32);
    }

    [Fact]
    public void Gpt_block_matmuls_are_quantized_and_the_block_still_runs()
    {
        using var p = new TestProject();
        p.AddModel("gpt.onnx", SampleModels.GptBlock());
        p.AddRandomData("v.npz", 3, ("x", [4, 8, 64]));
        p.WriteRecipe("""
            version: 1
            models:
              - name: gpt
                source: gpt.onnx
                steps:
                  - quantize: { mode: weight_only, exclude: ["re:/mlp/"] }
                verify:
                  data: v.npz
                  thresholds:
                    - { metric: cosine, min: 0.999 }
            """);
        var sink = new ListDiagnosticSink();

        var result = Run(p, sink);

        Assert.True(result.Succeeded, string.Join("\n", sink.Items));
        var layers = result.Report.Models[0].Steps[0].Layers;
        Assert.NotEmpty(layers);
        Assert.DoesNotContain(layers, l => l.Name.Contains("/mlp/", StringComparison.Ordinal));
        Assert.All(layers, l => Assert.Equal("MatMul", l.Op));
    }

    [Fact]
    public void Two_runs_give_byte_identical_models_and_reports_outside_timings()
    {
        using var p = TestProject.Mlp();
        var first = Run(p, new ListDiagnosticSink(), "a");
        var second = Run(p, new ListDiagnosticSink(), "b");

        Assert.Equal(File.ReadAllBytes(p.PathOf("a/mlp.onnx")), File.ReadAllBytes(p.PathOf("b/mlp.onnx")));
        Assert.Equal(WithoutTimings(p.PathOf("a/report.json")), WithoutTimings(p.PathOf("b/report.json")));
        Assert.Equal(first.Report.Models[0].OutputBytes, second.Report.Models[0].OutputBytes);
    }

    private static string WithoutTimings(string reportPath)
    {
        var json = JsonNode.Parse(File.ReadAllText(reportPath))!.AsObject();
        Assert.True(json.Remove("timings"));
        return json.ToJsonString();
    }

    [Fact]
    public void Manifest_lists_outputs_and_depfile_lists_inputs_sorted_and_absolute()
    {
        using var p = TestProject.Mlp();

        var result = Run(p, new ListDiagnosticSink());

        string[] outputs = [p.PathOf("out/mlp.onnx"), p.PathOf("out/report.html"), p.PathOf("out/report.json")];
        string[] inputs = [p.PathOf("compression.yaml"), p.PathOf("data/verify.npz"), p.PathOf("models/model.onnx")];
        Assert.Equal(string.Join("", outputs.Order(StringComparer.Ordinal).Select(o => o + "\n")), File.ReadAllText(p.PathOf("out.manifest")));
        Assert.Equal(string.Join("", inputs.Order(StringComparer.Ordinal).Select(o => o + "\n")), File.ReadAllText(p.PathOf("out.d")));
        Assert.Equal(outputs.Order(StringComparer.Ordinal), result.OutputFiles);
        Assert.Equal(inputs.Order(StringComparer.Ordinal), result.InputFiles);
        var report = ReportJson.Parse(File.ReadAllBytes(p.PathOf("out/report.json")));
        Assert.Equal("models/model.onnx", report.Models[0].Source);
    }

    [Fact]
    public void A_cancelled_run_leaves_no_manifest_and_no_final_named_or_temporary_file()
    {
        using var p = TestProject.Mlp();
        Run(p, new ListDiagnosticSink()); // an earlier successful run left outputs and a manifest
        File.Delete(p.PathOf("out/mlp.onnx"));
        File.Delete(p.PathOf("out/report.json"));
        File.Delete(p.PathOf("out/report.html"));
        Assert.True(File.Exists(p.PathOf("out.manifest")));
        using var cts = new CancellationTokenSource();

        // Cancel once verification has started, i.e. after the model was staged in the output folder.
        Assert.ThrowsAny<OperationCanceledException>(() => Run(p, new ListDiagnosticSink(),
            configure: o => o with { Progress = e => { if (e.Phase == "verify") { cts.Cancel(); } } }, ct: cts.Token));

        Assert.False(File.Exists(p.PathOf("out.manifest")));
        Assert.Empty(Directory.GetFiles(p.PathOf("out")));
    }

    [Fact]
    public void A_second_run_with_a_cache_reads_every_layer_back_and_writes_the_same_bytes()
    {
        using var p = TestProject.Mlp();
        var cache = p.PathOf("cache");

        var first = Run(p, new ListDiagnosticSink(), "a", configure: o => o with { CacheDirectory = cache });
        var second = Run(p, new ListDiagnosticSink(), "b", configure: o => o with { CacheDirectory = cache });

        Assert.Equal((0, 3), (first.Report.Timings.CacheHits, first.Report.Timings.CacheMisses));
        Assert.Equal((3, 0), (second.Report.Timings.CacheHits, second.Report.Timings.CacheMisses));
        Assert.Equal(File.ReadAllBytes(p.PathOf("a/mlp.onnx")), File.ReadAllBytes(p.PathOf("b/mlp.onnx")));
    }
}
