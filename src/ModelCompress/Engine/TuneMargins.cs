using ModelCompress.Verification;

namespace ModelCompress.Engine;

/// <summary>
/// One number per trial to compare candidates by: the worst bound's margin relative to the bound, e.g. a perplexity
/// increase of 0.01 % against <c>max_increase: 0.02 %</c> is +0.5, an agreement of 0.98 against <c>min: 0.99</c> is
/// −0.0101. The accuracy objective keeps the passing trial with the largest margin; a budget that runs out names the
/// failing trial with the largest (least negative) one as the closest.
/// </summary>
internal static class TuneMargins
{
    private const double Tiny = 1e-6;

    public static double Worst(IReadOnlyList<GateVerdict> verdicts) =>
        verdicts.Count == 0 ? 0 : Math.Round(verdicts.Min(Of), 6);

    private static double Of(GateVerdict v)
    {
        var (t, o) = (v.Threshold, v.Outcome);
        if (double.IsNaN(o.Value))
        {
            return double.NegativeInfinity;
        }

        // Which of the threshold's bounds the outcome judged: Judge names drop and increase bounds by suffix.
        if (o.Metric.EndsWith("_drop", StringComparison.Ordinal) && t.MaxDrop is { } drop)
        {
            return (drop - o.Value) / Math.Max(Math.Abs(drop), Tiny);
        }

        if (o.Metric.EndsWith("_increase", StringComparison.Ordinal) && t.MaxIncrease is { } increase)
        {
            return (increase - o.Value) / Math.Max(Math.Abs(increase), Tiny);
        }

        if (o.Bound.StartsWith(">=", StringComparison.Ordinal) && t.Min is { } min)
        {
            return (o.Value - min) / Math.Max(Math.Abs(min), Tiny);
        }

        return t.Max is { } max ? (max - o.Value) / Math.Max(Math.Abs(max), Tiny) : 0;
    }
}
