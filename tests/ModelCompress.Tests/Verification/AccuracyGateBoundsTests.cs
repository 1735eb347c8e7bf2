using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Verification;

namespace ModelCompress.Tests.Verification;

/// <summary>Every kind of bound (absolute min/max, max_drop and max_increase relative to fp32) on every metric.</summary>
public sealed class AccuracyGateBoundsTests
{
    private static readonly VerificationMetrics Metrics = new(
        Samples: 10, Rows: 10, Output: "y", Top1Agreement: 0.9, Cosine: 0.995, MinCosine: 0.97,
        MaxAbsError: 0.5, MeanAbsError: 0.02, ReferenceAccuracy: 0.92, Accuracy: 0.9, SnrDb: 31.5,
        ReferencePerplexity: 10.0, Perplexity: 10.4);

    private static GateOutcome One(GateThreshold t, VerificationMetrics? m = null) =>
        Assert.Single(AccuracyGate.Evaluate("m", m ?? Metrics, [t], true, new ListDiagnosticSink()));

    [Theory]
    [InlineData("top1_agreement", 0.9, true)]
    [InlineData("top1_agreement", 0.91, false)]
    [InlineData("cosine", 0.99, true)]
    [InlineData("cosine", 0.999, false)]
    [InlineData("min_cosine", 0.98, false)]
    [InlineData("snr_db", 30, true)]
    [InlineData("snr_db", 32, false)]
    [InlineData("accuracy", 0.9, true)]
    [InlineData("accuracy", 0.95, false)]
    public void Min_bounds(string metric, double min, bool passes) =>
        Assert.Equal(passes, One(new GateThreshold(metric, Min: min)).Passed);

    [Theory]
    [InlineData("max_abs_error", 0.5, true)]
    [InlineData("max_abs_error", 0.49, false)]
    [InlineData("mean_abs_error", 0.03, true)]
    [InlineData("mean_abs_error", 0.01, false)]
    [InlineData("perplexity", 10.5, true)]
    [InlineData("perplexity", 10.3, false)]
    public void Max_bounds(string metric, double max, bool passes) =>
        Assert.Equal(passes, One(new GateThreshold(metric, Max: max)).Passed);

    [Fact]
    public void Bounds_and_breaching_values_print_with_the_digits_that_make_them_true()
    {
        // Six significant digits would print the bound as 1 and the value as 1: a failure that reads "1, allows >= 1".
        var sink = new ListDiagnosticSink();
        var metrics = Metrics with { Cosine = 0.99999985 };
        var outcome = Assert.Single(AccuracyGate.Evaluate("m", metrics, [new GateThreshold("cosine", Min: 0.9999999)], true, sink));

        Assert.False(outcome.Passed);
        Assert.Equal(">= 0.9999999", outcome.Bound);
        var message = Assert.Single(sink.Items).Message;
        Assert.Contains("cosine is 0.99999985, the recipe allows >= 0.9999999", message);
    }

    [Fact]
    public void Values_keep_six_digits_when_six_are_on_the_right_side_of_the_bound()
    {
        var sink = new ListDiagnosticSink();
        AccuracyGate.Evaluate("m", Metrics, [new GateThreshold("cosine", Min: 0.999)], true, sink);

        Assert.Contains("cosine is 0.995, the recipe allows >= 0.999", Assert.Single(sink.Items).Message);
    }

    [Fact]
    public void Accuracy_max_drop_is_absolute_points_below_fp32()
    {
        var ok = One(new GateThreshold("accuracy", MaxDrop: 0.021));
        var bad = One(new GateThreshold("accuracy", MaxDrop: 0.019));

        Assert.Equal("accuracy_drop", ok.Metric);
        Assert.Equal(0.02, ok.Value, 12);
        Assert.True(ok.Passed);
        Assert.False(bad.Passed);
    }

    [Fact]
    public void Perplexity_max_increase_is_relative_to_fp32()
    {
        // (10.4 − 10) / 10 = 4 %.
        var ok = One(new GateThreshold("perplexity", MaxIncrease: 0.05));
        var bad = One(new GateThreshold("perplexity", MaxIncrease: 0.03));

        Assert.Equal("perplexity_increase", ok.Metric);
        Assert.Equal(0.04, ok.Value, 12);
        Assert.True(ok.Passed);
        Assert.False(bad.Passed);
    }

    [Fact]
    public void A_nan_measurement_never_passes()
    {
        Assert.False(One(new GateThreshold("cosine", Min: -1), Metrics with { Cosine = double.NaN }).Passed);
    }

    [Fact]
    public void Each_outcome_keeps_its_recipe_line_and_the_breach_carries_the_attribution()
    {
        var sink = new ListDiagnosticSink();

        var outcomes = AccuracyGate.Evaluate("m", Metrics, [new GateThreshold("snr_db", Min: 40, File: "r.yaml", Line: 9, Column: 11)],
            failOnRegression: true, sink, attribution: " Worst int8 layers by SNR: a (12.0 dB).");

        Assert.Equal(9, Assert.Single(outcomes).Line);
        Assert.Equal(
            "r.yaml(9,11): error MC5001: Accuracy budget exceeded for model 'm': snr_db is 31.5, the recipe allows >= 40. Worst int8 layers by SNR: a (12.0 dB).",
            Assert.Single(sink.Items).ToCanonicalString());
    }

    [Fact]
    public void Judging_reports_nothing()
    {
        var verdicts = AccuracyGate.Judge(Metrics, [new GateThreshold("snr_db", Min: 40), new GateThreshold("cosine", Min: 0.9)]);

        Assert.Equal([false, true], verdicts.Select(v => v.Outcome.Passed));
    }
}
