using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Verification;

namespace ModelCompress.Tests.Engine;

public sealed class AccuracyGateTests
{
    private static readonly VerificationMetrics Metrics = new(
        Samples: 100, Rows: 100, Output: "y", Top1Agreement: 0.97, Cosine: 0.999, MinCosine: 0.98,
        MaxAbsError: 0.4, MeanAbsError: 0.01, ReferenceAccuracy: 0.99, Accuracy: 0.975, SnrDb: 30);

    [Fact]
    public void A_breached_bound_is_MC5001_at_the_threshold_line_and_others_pass()
    {
        var sink = new ListDiagnosticSink();
        GateThreshold[] thresholds =
        [
            new("top1_agreement", Min: 0.99, File: "c.yaml", Line: 12, Column: 11),
            new("cosine", Min: 0.99),
            new("max_abs_error", Max: 1.0),
        ];

        var outcomes = AccuracyGate.Evaluate("mnist", Metrics, thresholds, failOnRegression: true, sink);

        Assert.Equal([false, true, true], outcomes.Select(o => o.Passed));
        var d = Assert.Single(sink.Items);
        Assert.Equal("c.yaml(12,11): error MC5001: Accuracy budget exceeded for model 'mnist': top1_agreement is 0.97, the recipe allows >= 0.99.", d.ToCanonicalString());
    }

    [Fact]
    public void Accuracy_max_drop_compares_with_fp32_and_is_a_warning_when_not_failing_on_regression()
    {
        var sink = new ListDiagnosticSink();

        var outcomes = AccuracyGate.Evaluate("m", Metrics, [new GateThreshold("accuracy", MaxDrop: 0.01)], failOnRegression: false, sink);

        var o = Assert.Single(outcomes);
        Assert.Equal("accuracy_drop", o.Metric);
        Assert.Equal(0.015, o.Value, 12);
        Assert.False(o.Passed);
        Assert.Equal(DiagnosticSeverity.Warning, Assert.Single(sink.Items).Severity);
    }

    [Fact]
    public void Metrics_the_verifier_cannot_compute_are_MC5003()
    {
        var noLabels = Metrics with { Accuracy = null, ReferenceAccuracy = null };
        var sink = new ListDiagnosticSink();

        var perplexity = Assert.Throws<ModelCompressException>(() =>
            AccuracyGate.Evaluate("m", Metrics, [new GateThreshold("perplexity", MaxIncrease: 0.03, File: "r.yaml", Line: 3, Column: 5)], true, sink));
        var accuracy = Assert.Throws<ModelCompressException>(() =>
            AccuracyGate.Evaluate("m", noLabels, [new GateThreshold("accuracy", Min: 0.9)], true, sink));

        Assert.Equal("MC5003", perplexity.Code);
        Assert.Equal(3, perplexity.Diagnostic.Line);
        Assert.Equal("MC5003", accuracy.Code);
        Assert.Contains("labels", accuracy.Message, StringComparison.Ordinal);
    }
}
