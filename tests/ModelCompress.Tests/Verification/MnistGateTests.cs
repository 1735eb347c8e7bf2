using System.Globalization;
using System.Text.RegularExpressions;
using ModelCompress.Engine;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Testing;
using ModelCompress.Tests.Engine;

namespace ModelCompress.Tests.Verification;

/// <summary>
/// The gate on the real fixture: the model zoo's MNIST CNN (Conv28, Conv110, MatMul Times212), weight-only int8,
/// verified on the first 200 MNIST test images. Full int8 keeps every top-1 prediction but its logits' cosine with
/// fp32 is about 0.99998; the per-layer analysis finds the classifier MatMul (Times212) the most damaged layer, and
/// with it in float the cosine is about 0.999994.
/// </summary>
public sealed partial class MnistGateTests
{
    private static string Recipe(string exclude = "", string verifyExtra = "", string thresholds = "cosine, min: 0.99999") => $$"""
        version: 1
        allow_outside: true
        models:
          - name: mnist
            source: {{Fixtures.Require("models/mnist-8.onnx")}}
            steps:
              - quantize: { mode: weight_only{{exclude}} }
            verify:
              data: {{Fixtures.Require("data/mnist/t10k-images-idx3-ubyte.gz")}}
              labels: {{Fixtures.Require("data/mnist/t10k-labels-idx1-ubyte.gz")}}
              samples: 200
              thresholds:
                - { metric: top1_agreement, min: 1.0 }
                - { metric: {{thresholds}} }
        {{verifyExtra}}
        """;

    private static CompressResult Run(TestProject p, ListDiagnosticSink sink) =>
        ModelCompressEngine.Compress(p.LoadRecipe(), new CompressOptions(p.PathOf("out")), sink, CancellationToken.None);

    [GeneratedRegex(@"exclude: (\[[^\]]*\]) in the quantize step")]
    private static partial Regex SuggestedExclude();

    [GeneratedRegex(@"(\w+) \(([+-][0-9.]+)\)")]
    private static partial Regex SensitivityNamed();

    [Fact]
    public void An_impossible_cosine_fails_with_MC5001_at_its_line_naming_the_classifier_then_the_suggested_exclude_passes()
    {
        using var p = new TestProject();
        p.WriteRecipe(Recipe());
        var sink = new ListDiagnosticSink();

        var failed = Run(p, sink);

        Assert.False(failed.Succeeded);
        var error = Assert.Single(sink.Items, d => d.Code == "MC5001");
        Assert.Equal(DiagnosticSeverity.Error, error.Severity);
        Assert.EndsWith("compression.yaml", error.File, StringComparison.Ordinal);
        Assert.Equal(14, error.Line); // the cosine threshold; top1_agreement (line 13) holds
        Assert.Matches(
            @"^.*compression\.yaml\(14,\d+\): error MC5001: Accuracy budget exceeded for model 'mnist': cosine is 0\.9999\d+, the recipe allows >= 0\.99999\. "
            + @"Worst int8 layers by SNR: Times212 \(4\d\.\d dB\), Convolution\d+ \(4\d\.\d dB\), Convolution\d+ \(4\d\.\d dB\)\. "
            + @"Keep the worst in float with exclude: \[""Times212""\] in the quantize step \(line 7\),",
            error.ToCanonicalString());
        var layers = failed.Report.Models[0].Verification!.Layers!;
        Assert.Equal(["Times212", "Convolution28", "Convolution110"], layers.Select(l => l.Name));
        Assert.All(layers, l => Assert.InRange(l.SnrDb!.Value, 35, 60));

        // Apply the fix the message suggests.
        var exclude = SuggestedExclude().Match(error.Message).Groups[1].Value;
        Assert.Equal("[\"Times212\"]", exclude);
        using var fixedProject = new TestProject();
        fixedProject.WriteRecipe(Recipe(exclude: ", exclude: " + exclude));
        var sink2 = new ListDiagnosticSink();

        var passed = Run(fixedProject, sink2);

        Assert.True(passed.Succeeded, string.Join("\n", sink2.Items));
        var v = passed.Report.Models[0].Verification!;
        Assert.True(v.Passed);
        Assert.InRange(v.Metrics.Cosine, 0.99999, 1.0);
        Assert.Equal(["Convolution28", "Convolution110"], passed.Report.Models[0].Steps[0].Layers.Select(l => l.Name));
    }

    [Fact]
    public void On_regression_fallback_keeps_the_classifier_in_float_and_passes()
    {
        using var p = new TestProject();
        p.WriteRecipe(Recipe(verifyExtra: "      on_regression: fallback"));
        var sink = new ListDiagnosticSink();

        var result = Run(p, sink);

        Assert.True(result.Succeeded, string.Join("\n", sink.Items));
        var v = result.Report.Models[0].Verification!;
        Assert.Equal(["Times212"], v.Fallback!.FloatLayers);
        Assert.Equal([true], v.Fallback.Attempts.Select(a => a.Passed));
        Assert.InRange(v.Metrics.Cosine, 0.99999, 1.0);
        var info = Assert.Single(sink.Items, d => d.Code == "MC5100");
        Assert.Contains("Times212", info.Message, StringComparison.Ordinal);
        var output = OnnxModel.Load(p.PathOf("out/mnist.onnx"));
        Assert.Equal(2, output.Graph.Nodes.Count(n => n.OpType == "DequantizeLinear"));
    }

    [Fact]
    public void A_tighter_snr_needs_two_layers_in_float_and_max_fallback_layers_1_stops_short()
    {
        // End-to-end output SNR: all int8 about 43.8 dB, Times212 in float 48.7 dB, Times212 and Convolution28 50.2 dB.
        using var two = new TestProject();
        two.WriteRecipe(Recipe(thresholds: "snr_db, min: 49.5", verifyExtra: "      on_regression: fallback"));
        using var one = new TestProject();
        one.WriteRecipe(Recipe(thresholds: "snr_db, min: 49.5", verifyExtra: "      on_regression: fallback\n      max_fallback_layers: 1"));
        var sinkTwo = new ListDiagnosticSink();
        var sinkOne = new ListDiagnosticSink();

        var passed = Run(two, sinkTwo);
        var stopped = Run(one, sinkOne);

        Assert.True(passed.Succeeded, string.Join("\n", sinkTwo.Items));
        Assert.Equal(["Times212", "Convolution28"], passed.Report.Models[0].Verification!.Fallback!.FloatLayers);
        Assert.InRange(passed.Report.Models[0].Verification!.Metrics.SnrDb, 49.5, 60);
        Assert.False(stopped.Succeeded);
        Assert.Single(sinkOne.Items, d => d.Code == "MC5101");
        Assert.Contains(
            "Worst int8 layers by SNR: Convolution28 (", Assert.Single(sinkOne.Items, d => d.Code == "MC5001").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fallback_order_sensitivity_puts_back_the_layer_whose_int8_alone_costs_the_gate_most_first()
    {
        using var p = new TestProject();
        p.WriteRecipe(Recipe(thresholds: "snr_db, min: 49.5", verifyExtra: "      on_regression: fallback\n      fallback_order: sensitivity"));
        var sink = new ListDiagnosticSink();

        var result = Run(p, sink);

        Assert.True(result.Succeeded, string.Join("\n", sink.Items));
        var order = Assert.Single(sink.Items, d => d.Code == "MC3940");
        Assert.Contains("each of the 3 ranked layers", order.Message, StringComparison.Ordinal);

        // The named layers come worst margin first, and the fallback takes them in that order.
        var named = SensitivityNamed().Matches(order.Message).Select(m => (Layer: m.Groups[1].Value, Margin: double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture))).ToList();
        Assert.Equal(3, named.Count);
        Assert.Equal(named.Select(n => n.Margin).Order(), named.Select(n => n.Margin));
        var fallback = result.Report.Models[0].Verification!.Fallback!;
        Assert.Equal(named.Select(n => n.Layer).Take(fallback.FloatLayers.Count), fallback.FloatLayers);
        Assert.InRange(result.Report.Models[0].Verification!.Metrics.SnrDb, 49.5, 80);
    }

    [Fact]
    public void Severity_warning_reports_the_breach_as_a_warning_with_the_same_code_and_succeeds()
    {
        using var p = new TestProject();
        p.WriteRecipe(Recipe(verifyExtra: "      severity: warning"));
        var sink = new ListDiagnosticSink();

        var result = Run(p, sink);

        Assert.True(result.Succeeded);
        Assert.True(result.AccuracyBudgetExceeded);
        var warning = Assert.Single(sink.Items, d => d.Code == "MC5001");
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Contains(": warning MC5001: ", warning.ToCanonicalString(), StringComparison.Ordinal);
        Assert.True(File.Exists(p.PathOf("out/mnist.onnx")));
    }
}
