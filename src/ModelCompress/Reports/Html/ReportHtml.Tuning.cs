using System.Globalization;
using System.Text;

namespace ModelCompress.Reports.Html;

/// <summary>The "Tuning" table: every candidate tried by <c>tune:</c>, in the order tried, and the one chosen.</summary>
public static partial class ReportHtml
{
    private static void AppendTuning(StringBuilder h, TuningReport? t)
    {
        if (t is null)
        {
            return;
        }

        h.Append("<h3>Tuning</h3>\n<p>Objective <code>").Append(E(t.Objective)).Append("</code>; chose candidate ")
            .Append(t.Chosen.ToString(CultureInfo.InvariantCulture)).Append(" <code>").Append(E(t.ChosenLabel)).Append("</code>")
            .Append(t.Passed ? string.Empty : " (none met the thresholds: the closest)").Append(": ").Append(E(t.Reason)).Append('.');
        h.Append(t.FromCache
            ? " The decision was read back from an earlier run with the same inputs; no trials ran."
            : " Trials stopped by " + E(t.StopReason) + ", after " + F(t.Milliseconds / 1000, "0.0") + " s.");
        h.Append("</p>\n");
        if (t.Trials.Count == 0)
        {
            return;
        }

        h.Append("<table>\n<thead><tr><th>#</th><th>candidate</th><th>result</th><th>margin</th><th>bounds</th><th>size</th>")
            .Append("<th>latency (ms)</th><th>time (s)</th><th>cache hits / misses</th></tr></thead>\n<tbody>\n");
        foreach (var trial in t.Trials)
        {
            var chosen = trial.Candidate == t.Chosen ? " <strong>(chosen)</strong>" : string.Empty;
            h.Append("<tr class=\"").Append(trial.Passed ? "ok" : "bad").Append("\"><td class=\"num\">")
                .Append(trial.Candidate.ToString(CultureInfo.InvariantCulture)).Append("</td><td><code>").Append(E(trial.Label)).Append("</code>")
                .Append(chosen).Append("</td><td>")
                .Append(trial.Passed ? "<span class=\"pass-text\">pass</span>" : "<span class=\"fail-text\">FAIL</span>").Append("</td><td class=\"num\">")
                .Append(N(trial.Margin)).Append("</td><td>")
                .Append(trial.Error is { } error
                    ? E(error)
                    : string.Join("; ", trial.Thresholds.Select(o => E(o.Metric) + " " + N(o.Value) + " (" + E(o.Bound) + ")")))
                .Append("</td><td class=\"num\">").Append(Bytes(trial.OutputBytes)).Append("</td><td class=\"num\">").Append(N(trial.LatencyMs))
                .Append("</td><td class=\"num\">").Append(F(trial.Milliseconds / 1000, "0.00")).Append("</td><td class=\"num\">")
                .Append(trial.CacheHits.ToString(CultureInfo.InvariantCulture)).Append(" / ")
                .Append(trial.CacheMisses.ToString(CultureInfo.InvariantCulture)).Append("</td></tr>\n");
        }

        h.Append("</tbody>\n</table>\n");
    }
}
