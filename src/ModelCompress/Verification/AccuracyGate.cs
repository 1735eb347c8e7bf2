using System.Globalization;
using ModelCompress.Diagnostics;
using ModelCompress.Onnx.Diagnostics;

namespace ModelCompress.Verification;

/// <summary>
/// Checks <see cref="VerificationMetrics"/> against the recipe's thresholds. Every breached bound is reported as MC5001
/// at its recipe line — an error when the run fails on regression, a warning otherwise — optionally followed by the
/// layers that caused it and the recipe change that would keep them in float.
/// </summary>
public static class AccuracyGate
{
    /// <summary>The metrics a threshold may name today.</summary>
    public static IReadOnlyList<string> KnownMetrics { get; } =
        ["top1_agreement", "cosine", "min_cosine", "max_abs_error", "mean_abs_error", "snr_db", "accuracy", "perplexity"];

    /// <summary>Evaluates <paramref name="thresholds"/>; reports breaches to <paramref name="sink"/>.</summary>
    /// <param name="modelName">The recipe's model name.</param>
    /// <param name="metrics">What was measured.</param>
    /// <param name="thresholds">The recipe's bounds.</param>
    /// <param name="failOnRegression">Whether a breach is an error (true) or a warning (false).</param>
    /// <param name="sink">Receives one MC5001 per breached bound.</param>
    /// <param name="attribution">Text appended to each breach (the worst layers and the fix), or null.</param>
    public static IReadOnlyList<GateOutcome> Evaluate(
        string modelName,
        VerificationMetrics metrics,
        IEnumerable<GateThreshold> thresholds,
        bool failOnRegression,
        IDiagnosticSink sink,
        string? attribution = null)
    {
        ArgumentNullException.ThrowIfNull(sink);
        var verdicts = Judge(metrics, thresholds);
        Report(modelName, verdicts, failOnRegression, sink, attribution);
        return [.. verdicts.Select(v => v.Outcome)];
    }

    /// <summary>Evaluates every bound without reporting anything (a fallback attempt is judged this way).</summary>
    internal static IReadOnlyList<GateVerdict> Judge(VerificationMetrics metrics, IEnumerable<GateThreshold> thresholds)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(thresholds);
        var verdicts = new List<GateVerdict>();
        foreach (var t in thresholds)
        {
            var (value, output) = WorstOf(t, metrics);
            Check(t.Min is not null, t.Metric, value, v => v >= t.Min, () => ">= " + FmtBound(t.Min!.Value));
            Check(t.Max is not null, t.Metric, value, v => v <= t.Max, () => "<= " + FmtBound(t.Max!.Value));
            if (t.MaxDrop is { } maxDrop)
            {
                var reference = ReferenceOf(t, metrics);
                Check(true, t.Metric + "_drop", reference - value, v => v <= maxDrop, () => "<= " + FmtBound(maxDrop));
            }

            if (t.MaxIncrease is { } maxIncrease)
            {
                var reference = ReferenceOf(t, metrics);
                var increase = reference == 0 ? 0 : (value - reference) / Math.Abs(reference);
                Check(true, t.Metric + "_increase", increase, v => v <= maxIncrease, () => "<= " + FmtBound(maxIncrease));
            }

            void Check(bool applies, string metric, double measured, Func<double, bool> ok, Func<string> bound)
            {
                if (applies)
                {
                    var passed = !double.IsNaN(measured) && ok(measured);
                    var text = FmtMeasured(measured, passed, ok) + (output is null ? string.Empty : $" on output '{output}'");
                    verdicts.Add(new GateVerdict(t, new GateOutcome(metric, measured, bound(), passed, t.Line > 0 ? t.Line : null, output), text));
                }
            }
        }

        return verdicts;
    }

    /// <summary>Reports each breached bound as MC5001 at its threshold's recipe line.</summary>
    internal static void Report(
        string modelName, IEnumerable<GateVerdict> verdicts, bool failOnRegression, IDiagnosticSink sink, string? attribution)
    {
        foreach (var (t, o, valueText) in verdicts.Where(v => !v.Outcome.Passed))
        {
            sink.Report(EngineDiagnostics.Catalog.Create(
                "MC5001",
                failOnRegression ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
                t.File, t.Line, t.Column,
                modelName, o.Metric, valueText, o.Bound, attribution ?? string.Empty));
        }
    }

    /// <summary>
    /// The value a bound is judged on: accuracy and perplexity belong to the primary output; the other metrics hold for
    /// every compared output, so the one nearest its bound (lowest for a minimum, highest for a maximum, NaN first) is
    /// judged and named when more than one output was compared.
    /// </summary>
    private static (double Value, string? Output) WorstOf(GateThreshold t, VerificationMetrics m)
    {
        if (t.Metric is "accuracy" or "perplexity" || m.OtherOutputs.Count == 0)
        {
            return (ValueOf(t, m), null);
        }

        var worst = m;
        var worstValue = ValueOf(t, m);
        foreach (var other in m.OtherOutputs)
        {
            var v = ValueOf(t, other);
            var worse = double.IsNaN(v) ? !double.IsNaN(worstValue) : t.Max is null ? v < worstValue : v > worstValue;
            if (worse)
            {
                (worst, worstValue) = (other, v);
            }
        }

        return (worstValue, worst.Output);
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
        "perplexity" => m.Perplexity ?? throw Unsupported(t, " without text verify data (format: text with a tokenizer)"),
        _ => throw Unsupported(t, " by the verifier (known: " + string.Join(", ", KnownMetrics) + ")"),
    };

    private static double ReferenceOf(GateThreshold t, VerificationMetrics m) => t.Metric switch
    {
        "accuracy" => m.ReferenceAccuracy ?? throw Unsupported(t, " without labels"),
        "perplexity" => m.ReferencePerplexity ?? throw Unsupported(t, " without text verify data"),
        _ => throw Unsupported(t, " as a drop or increase (only accuracy and perplexity compare with fp32)"),
    };

    private static ModelCompressException Unsupported(GateThreshold t, string why) =>
        EngineDiagnostics.FailAt("MC5003", t.File, t.Line, t.Column, t.Metric, why);

    /// <summary>Formats a metric value for messages and reports (invariant, up to 6 significant digits).</summary>
    public static string Fmt(double v) => v.ToString("G6", CultureInfo.InvariantCulture);

    /// <summary>A recipe bound exactly as it is compared (the shortest text that reads back as the same double).</summary>
    internal static string FmtBound(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>
    /// A measured value with six significant digits, or more where six would put it on the other side of its bound
    /// (0.99999985 against <c>min: 0.9999999</c> must not print as 1).
    /// </summary>
    internal static string FmtMeasured(double value, bool passed, Func<double, bool> ok)
    {
        if (!double.IsFinite(value))
        {
            return Fmt(value);
        }

        for (var digits = 6; digits < 17; digits++)
        {
            var text = value.ToString("G" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            if (ok(double.Parse(text, CultureInfo.InvariantCulture)) == passed)
            {
                return text;
            }
        }

        return value.ToString("R", CultureInfo.InvariantCulture);
    }
}
