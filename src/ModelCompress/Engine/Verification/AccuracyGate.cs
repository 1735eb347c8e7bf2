using System.Globalization;
using ModelCompress.Onnx.Diagnostics;

namespace ModelCompress.Engine.Verification;

/// <summary>
/// Checks <see cref="VerificationMetrics"/> against the recipe's thresholds. Every breached bound is reported as MC5001
/// at its recipe line — an error when the run fails on regression, a warning otherwise.
/// </summary>
public static class AccuracyGate
{
    /// <summary>The metrics a threshold may name today.</summary>
    public static IReadOnlyList<string> KnownMetrics { get; } =
        ["top1_agreement", "cosine", "min_cosine", "max_abs_error", "mean_abs_error", "snr_db", "accuracy"];

    /// <summary>Evaluates <paramref name="thresholds"/>; reports breaches to <paramref name="sink"/>.</summary>
    public static IReadOnlyList<GateOutcome> Evaluate(
        string modelName,
        VerificationMetrics metrics,
        IEnumerable<GateThreshold> thresholds,
        bool failOnRegression,
        IDiagnosticSink sink)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(thresholds);
        ArgumentNullException.ThrowIfNull(sink);
        var outcomes = new List<GateOutcome>();
        foreach (var t in thresholds)
        {
            var value = ValueOf(t, metrics);
            Check(t.Min is not null, t.Metric, value, v => v >= t.Min, () => ">= " + Fmt(t.Min!.Value));
            Check(t.Max is not null, t.Metric, value, v => v <= t.Max, () => "<= " + Fmt(t.Max!.Value));
            if (t.MaxDrop is { } maxDrop)
            {
                var reference = ReferenceOf(t, metrics);
                Check(true, t.Metric + "_drop", reference - value, v => v <= maxDrop, () => "<= " + Fmt(maxDrop));
            }

            if (t.MaxIncrease is { } maxIncrease)
            {
                var reference = ReferenceOf(t, metrics);
                var increase = reference == 0 ? 0 : (value - reference) / Math.Abs(reference);
                Check(true, t.Metric + "_increase", increase, v => v <= maxIncrease, () => "<= " + Fmt(maxIncrease));
            }

            void Check(bool applies, string metric, double measured, Func<double, bool> ok, Func<string> bound)
            {
                if (!applies)
                {
                    return;
                }

                var passed = !double.IsNaN(measured) && ok(measured);
                outcomes.Add(new GateOutcome(metric, measured, bound(), passed));
                if (!passed)
                {
                    sink.Report(EngineErrors.Catalog.Create(
                        "MC5001",
                        failOnRegression ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
                        t.File, t.Line, t.Column,
                        modelName, metric, Fmt(measured), bound()));
                }
            }
        }

        return outcomes;
    }

    private static double ValueOf(GateThreshold t, VerificationMetrics m) => t.Metric switch
    {
        "top1_agreement" => m.Top1Agreement,
        "cosine" => m.Cosine,
        "min_cosine" => m.MinCosine,
        "max_abs_error" => m.MaxAbsError,
        "mean_abs_error" => m.MeanAbsError,
        "snr_db" => m.SnrDb,
        "accuracy" => m.Accuracy ?? throw Unsupported(t, " without labels (add 'labels' to the threshold or verify section)"),
        _ => throw Unsupported(t, " by the verifier (known: " + string.Join(", ", KnownMetrics) + ")"),
    };

    private static double ReferenceOf(GateThreshold t, VerificationMetrics m) => t.Metric switch
    {
        "accuracy" => m.ReferenceAccuracy ?? throw Unsupported(t, " without labels"),
        _ => throw Unsupported(t, " as a drop or increase (only 'accuracy' compares with fp32 today)"),
    };

    private static ModelCompressException Unsupported(GateThreshold t, string why) =>
        EngineErrors.FailAt("MC5003", t.File, t.Line, t.Column, t.Metric, why);

    /// <summary>Formats a metric value for messages and reports (invariant, up to 6 significant digits).</summary>
    public static string Fmt(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}
