using ModelCompress.Data;
using ModelCompress.Engine;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Reports;
using ModelCompress.Testing;
using ModelCompress.Tests.Engine;

namespace ModelCompress.Tests.Verification;

/// <summary>The gate inside a compression run, on the sample MLP (64 → 256 → 256 → 10, weight-only int8).</summary>
public sealed class GateEngineTests
{
    private const string Impossible = "        - { metric: max_abs_error, max: 0 }";

    private static CompressResult Run(TestProject p, ListDiagnosticSink sink, bool? failOnRegression = null) =>
        ModelCompressEngine.Compress(
            p.LoadRecipe(),
            new CompressOptions(p.PathOf("out")) { ManifestPath = p.PathOf("out.manifest"), FailOnRegression = failOnRegression },
            sink,
            CancellationToken.None);

    [Fact]
    public void A_breach_is_an_error_at_the_threshold_line_naming_the_worst_layers_and_the_exclude_fix()
    {
        using var p = TestProject.Mlp(thresholds: Impossible);
        var sink = new ListDiagnosticSink();

        var result = Run(p, sink);

        Assert.False(result.Succeeded);
        var d = Assert.Single(sink.Items, i => i.Code == "MC5001");
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Equal(10, d.Line);
        var worst = result.Report.Models[0].Verification!.Layers!;
        Assert.Equal(3, worst.Count);
        Assert.Contains($"Worst int8 layers by SNR: {worst[0].Name} (", d.Message, StringComparison.Ordinal);
        Assert.Contains($"exclude: [\"{worst[0].Name}\"] in the quantize step (line 6)", d.Message, StringComparison.Ordinal);
        Assert.All(worst, l => Assert.Contains(l.Name, d.Message, StringComparison.Ordinal));
        Assert.False(File.Exists(p.PathOf("out.manifest")));
    }

    [Fact]
    public void Severity_warning_in_the_recipe_turns_the_breach_into_a_warning_and_the_run_succeeds()
    {
        using var p = TestProject.Mlp(thresholds: Impossible + "\n      severity: warning");
        var sink = new ListDiagnosticSink();

        var result = Run(p, sink);

        Assert.True(result.Succeeded);
        Assert.True(result.AccuracyBudgetExceeded);
        var d = Assert.Single(sink.Items, i => i.Code == "MC5001");
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        Assert.Contains("Worst int8 layers by SNR", d.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(p.PathOf("out.manifest")));
    }

    [Fact]
    public void Fail_on_regression_true_overrides_severity_warning()
    {
        using var p = TestProject.Mlp(thresholds: Impossible + "\n      severity: warning");
        var sink = new ListDiagnosticSink();

        var result = Run(p, sink, failOnRegression: true);

        Assert.False(result.Succeeded);
        Assert.Equal(DiagnosticSeverity.Error, Assert.Single(sink.Items, i => i.Code == "MC5001").Severity);
    }

    [Fact]
    public void Fallback_keeps_the_worst_layers_in_float_one_more_at_a_time_until_the_thresholds_hold()
    {
        using var p = TestProject.Mlp(thresholds: Impossible + "\n      on_regression: fallback");
        var sink = new ListDiagnosticSink();

        var result = Run(p, sink);

        // Only the fp32 model has max_abs_error 0, so every layer falls back, worst first.
        Assert.True(result.Succeeded, string.Join("\n", sink.Items));
        var v = result.Report.Models[0].Verification!;
        Assert.True(v.Passed);
        Assert.Equal(v.Layers!.Select(l => l.Name), v.Fallback!.FloatLayers);
        Assert.Equal([1, 2, 3], v.Fallback.Attempts.Select(a => a.FloatLayers));
        Assert.Equal([false, false, true], v.Fallback.Attempts.Select(a => a.Passed));
        var info = Assert.Single(sink.Items, i => i.Code == "MC5100");
        Assert.Equal(DiagnosticSeverity.Info, info.Severity);
        Assert.DoesNotContain(sink.Items, i => i.Severity == DiagnosticSeverity.Error);
        Assert.DoesNotContain(OnnxModel.Load(p.PathOf("out/mlp.onnx")).Graph.Nodes, n => n.OpType == "DequantizeLinear");
        Assert.Empty(result.Report.Models[0].Steps[0].Layers); // the step report is the final model's
    }

    [Fact]
    public void A_fallback_that_reaches_max_fallback_layers_warns_and_the_breach_names_the_layers_left()
    {
        using var p = TestProject.Mlp(thresholds: Impossible + "\n      on_regression: fallback\n      max_fallback_layers: 2");
        var sink = new ListDiagnosticSink();

        var result = Run(p, sink);

        Assert.False(result.Succeeded);
        var v = result.Report.Models[0].Verification!;
        Assert.Equal(2, v.Fallback!.FloatLayers.Count);
        Assert.False(v.Fallback.Passed);
        Assert.Equal(DiagnosticSeverity.Warning, Assert.Single(sink.Items, i => i.Code == "MC5101").Severity);
        var error = Assert.Single(sink.Items, i => i.Code == "MC5001");
        var left = v.Layers![2].Name;
        Assert.Contains($"Worst int8 layers by SNR: {left} (", error.Message, StringComparison.Ordinal);
        Assert.Contains(
            $"exclude: [\"{v.Layers[0].Name}\", \"{v.Layers[1].Name}\", \"{left}\"]", error.Message, StringComparison.Ordinal);
        Assert.Single(OnnxModel.Load(p.PathOf("out/mlp.onnx")).Graph.Nodes, n => n.OpType == "DequantizeLinear");
    }

    [Fact]
    public void A_fallback_without_int8_layers_to_rank_is_MC5102()
    {
        using var p = TestProject.Mlp(
            steps: "      - quantize: { mode: weight_only, exclude: [\"op:MatMul\"] }",
            thresholds: "        - { metric: accuracy, min: 1.0 }\n      labels: data/labels.npy\n      on_regression: fallback");
        NpyWriter.WriteFile(p.PathOf("data/labels.npy"), NdArray.FromInt64([.. Enumerable.Range(0, 32).Select(i => (long)(i % 10))], 32));
        var sink = new ListDiagnosticSink();

        var result = Run(p, sink);

        Assert.False(result.Succeeded);
        Assert.Equal(DiagnosticSeverity.Warning, Assert.Single(sink.Items, i => i.Code == "MC5102").Severity);
        var error = Assert.Single(sink.Items, i => i.Code == "MC5001");
        Assert.DoesNotContain("Worst int8 layers", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Report_json_holds_the_ranked_layers_and_per_layer_false_leaves_them_out()
    {
        using var p = TestProject.Mlp(thresholds: "        - { metric: cosine, min: 0.9 }");
        using var q = TestProject.Mlp(thresholds: "        - { metric: cosine, min: 0.9 }\n      per_layer: false");

        Run(p, new ListDiagnosticSink());
        Run(q, new ListDiagnosticSink());

        var report = ReportJson.Parse(File.ReadAllBytes(p.PathOf("out/report.json")));
        var layers = report.Models[0].Verification!.Layers!;
        Assert.Equal(["/fc1/MatMul", "/fc2/MatMul", "/fc3/MatMul"], layers.Select(l => l.Name).Order(StringComparer.Ordinal));
        Assert.True(layers.Zip(layers.Skip(1)).All(x => x.First.SnrDb <= x.Second.SnrDb));
        Assert.Equal(10, report.Models[0].Verification!.Thresholds[0].Line);
        Assert.Null(ReportJson.Parse(File.ReadAllBytes(q.PathOf("out/report.json"))).Models[0].Verification!.Layers);
        Assert.Contains("\"snr_db\":", File.ReadAllText(p.PathOf("out/report.json")), StringComparison.Ordinal);
    }
}
