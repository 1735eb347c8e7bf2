using ModelCompress.Engine;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Testing;

namespace ModelCompress.Tests.Engine;

public sealed class CompressEngineErrorTests
{
    private static CompressResult Run(TestProject p, IDiagnosticSink sink, bool? failOnRegression = null) =>
        ModelCompressEngine.Compress(
            p.LoadRecipe(),
            new CompressOptions(p.PathOf("out")) { ManifestPath = p.PathOf("out.manifest"), FailOnRegression = failOnRegression },
            sink,
            CancellationToken.None);

    /// <summary>x [1, 8] → MatMul W [8, 4] → Softmax (or a one-way Split) → y, at <paramref name="opset"/>.</summary>
    private static OnnxModel SoftmaxModel(long opset, string lastOp = "Softmax")
    {
        var b = new OnnxModelBuilder("sm").Opset(opset);
        b.Graph.Input("x", TensorDataType.Float, 1, 8);
        var w = b.Graph.Initializer("w", [8, 4], Enumerable.Range(0, 32).Select(i => (i % 7) - 3f).ToArray());
        var h = b.Graph.Op("MatMul", "x", w);
        var last = b.Graph.Node(lastOp, [h], ["y"], lastOp.ToLowerInvariant()).SetAttribute("axis", 1);
        if (lastOp == "Split")
        {
            // Split-13 takes 'split' as an input, a change the opset upgrade does not rewrite.
            last.SetAttribute("split", new long[] { 4 });
        }

        b.Graph.Output("y", TensorDataType.Float, 1, 4);
        return b.Build();
    }

    private static TestProject SoftmaxProject(long opset, string lastOp = "Softmax")
    {
        var p = new TestProject();
        p.AddModel("m.onnx", SoftmaxModel(opset, lastOp));
        p.AddRandomData("v.npz", 4, ("x", [6, 8]));
        p.WriteRecipe("""
            version: 1
            models:
              - name: sm
                source: m.onnx
                steps:
                  - quantize: { mode: weight_only }
                verify:
                  data: v.npz
                  thresholds:
                    - { metric: cosine, min: 0.99 }
            """);
        return p;
    }

    [Fact]
    public void Int4_weights_are_int4_not_silently_int8()
    {
        using var p = TestProject.Mlp(steps: "      - quantize: { mode: weight_only, weights: int4 }", thresholds: "        - { metric: cosine, min: 0.99 }");
        var sink = new ListDiagnosticSink();

        Assert.True(Run(p, sink).Succeeded, string.Join("\n", sink.Items));

        var output = OnnxModel.Load(p.PathOf("out/mlp.onnx"));
        Assert.Equal(3, output.Graph.Initializers.Values.Count(t => t.DataType == TensorDataType.Int4));
        Assert.DoesNotContain(output.Graph.Initializers.Values, t => t.DataType == TensorDataType.Int8);
    }

    [Fact]
    public void Asymmetric_weights_are_MC3012_at_the_step_line_and_dynamic_mode_runs_for_real()
    {
        using var p = TestProject.Mlp(steps: "      - quantize: { mode: dynamic, symmetric_weights: false }");
        var sink = new ListDiagnosticSink();

        var result = Run(p, sink);

        Assert.True(result.Succeeded);
        Assert.Equal(["MC3012"], sink.Items.Where(d => d.Severity == DiagnosticSeverity.Warning).Select(d => d.Code));
        Assert.StartsWith("compression.yaml(6,9): warning MC3012", Assert.Single(result.Report.Diagnostics), StringComparison.Ordinal);
        Assert.Equal("dynamic_int8", Assert.Single(result.Report.Models[0].Steps).Pass);
    }

    [Fact]
    public void A_breached_threshold_is_MC5001_exit_worthy_and_keeps_the_manifest_away()
    {
        using var p = TestProject.Mlp(thresholds: "        - { metric: max_abs_error, max: 0 }");
        var sink = new ListDiagnosticSink();

        var result = Run(p, sink);

        Assert.True(result.AccuracyBudgetExceeded);
        Assert.False(result.Succeeded);
        var d = Assert.Single(sink.Items, i => i.Code == "MC5001");
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Equal(10, d.Line);
        Assert.False(File.Exists(p.PathOf("out.manifest")));
        Assert.True(File.Exists(p.PathOf("out/report.json"))); // kept for inspection
        Assert.False(result.Report.Passed);
    }

    [Fact]
    public void Without_fail_on_regression_a_breach_is_a_warning_and_the_run_succeeds()
    {
        using var p = TestProject.Mlp(thresholds: "        - { metric: max_abs_error, max: 0 }");
        var sink = new ListDiagnosticSink();

        var result = Run(p, sink, failOnRegression: false);

        Assert.True(result.AccuracyBudgetExceeded);
        Assert.True(result.Succeeded);
        Assert.Equal(DiagnosticSeverity.Warning, Assert.Single(sink.Items, i => i.Code == "MC5001").Severity);
        Assert.True(File.Exists(p.PathOf("out.manifest")));
    }

    [Fact]
    public void An_old_opset_is_raised_to_13_when_every_operator_keeps_its_meaning()
    {
        var model = SampleModels.Mlp();
        model.SetOpsetImport(string.Empty, 9);
        using var p = TestProject.Mlp();
        p.AddModel("models/model.onnx", model);
        p.AddRandomData("data/verify.npz", 1, ("input", [8, 16]));

        var result = Run(p, new ListDiagnosticSink());

        Assert.True(result.Succeeded);
        var output = OnnxModel.Load(p.PathOf("out/mlp.onnx"));
        Assert.Equal(13, output.GetOpsetVersion(string.Empty));
        Assert.Contains(output.Graph.Nodes, n => n.OpType == "DequantizeLinear");
    }

    [Fact]
    public void An_opset_11_split_keeps_its_opset_and_uses_cast_mul_with_MC3013()
    {
        using var p = SoftmaxProject(11, "Split");
        var sink = new ListDiagnosticSink();

        var result = Run(p, sink);

        Assert.True(result.Succeeded, string.Join("\n", sink.Items));
        var note = Assert.Single(sink.Items, d => d.Code == "MC3013");
        Assert.Equal(DiagnosticSeverity.Info, note.Severity);
        Assert.Contains("'Split'", note.Message, StringComparison.Ordinal);
        var output = OnnxModel.Load(p.PathOf("out/sm.onnx"));
        Assert.Equal(11, output.GetOpsetVersion(string.Empty));
        Assert.Equal(["Cast", "Mul", "MatMul", "Split"], output.Graph.Nodes.Select(n => n.OpType));
        Assert.InRange(result.Report.Models[0].Verification!.Metrics.Cosine, 0.99, 1.0);
    }

    [Fact]
    public void An_opset_below_7_is_MC3014()
    {
        using var p = SoftmaxProject(6);

        var ex = Assert.Throws<ModelCompressException>(() => Run(p, new ListDiagnosticSink()));

        Assert.Equal("MC3014", ex.Code);
    }

    [Fact]
    public void A_model_without_linear_layers_is_MC3007()
    {
        var b = new OnnxModelBuilder("relu").Opset(17);
        b.Graph.Input("x", TensorDataType.Float, 1, 4);
        b.Graph.Node("Relu", ["x"], ["y"], "relu");
        b.Graph.Output("y", TensorDataType.Float, 1, 4);
        using var p = TestProject.Mlp();
        p.AddModel("models/model.onnx", b.Build());
        p.AddRandomData("data/verify.npz", 1, ("x", [2, 4]));
        var sink = new ListDiagnosticSink();

        Run(p, sink);

        Assert.Equal(DiagnosticSeverity.Warning, Assert.Single(sink.Items, d => d.Code == "MC3007").Severity);
    }

    [Fact]
    public void An_output_folder_that_is_a_file_is_MC3010()
    {
        using var p = TestProject.Mlp();
        File.WriteAllText(p.PathOf("out"), "not a folder");

        var ex = Assert.Throws<ModelCompressException>(() => Run(p, new ListDiagnosticSink()));

        Assert.Equal("MC3010", ex.Code);
    }

    [Fact]
    public void Verify_without_outputs_is_MC5002_and_after_a_run_it_measures_the_same_metrics()
    {
        using var p = TestProject.Mlp();
        var options = new CompressOptions(p.PathOf("out"));

        var missing = Assert.Throws<ModelCompressException>(() =>
            ModelCompressEngine.Verify(p.LoadRecipe(), options, new ListDiagnosticSink(), CancellationToken.None));
        var run = Run(p, new ListDiagnosticSink());
        var verify = ModelCompressEngine.Verify(p.LoadRecipe(), options, new ListDiagnosticSink(), CancellationToken.None);

        Assert.Equal("MC5002", missing.Code);
        Assert.True(verify.Succeeded);
        Assert.Equal(run.Report.Models[0].Verification!.Metrics, verify.Models[0].Report!.Metrics);
    }
}
