using System.Globalization;
using System.Text;
using ModelCompress.Verification;

namespace ModelCompress.Reports.Html;

/// <summary>The tables of the page.</summary>
public static partial class ReportHtml
{
    private static void AppendThresholds(StringBuilder h, IReadOnlyList<GateOutcome> outcomes)
    {
        h.Append("<table class=\"thresholds\">\n<thead><tr><th>metric</th><th>bound</th><th>measured</th><th>verdict</th><th>recipe line</th></tr></thead>\n<tbody>\n");
        foreach (var o in outcomes)
        {
            h.Append("<tr class=\"").Append(o.Passed ? "ok" : "bad").Append("\"><td><code>").Append(E(o.Metric)).Append("</code></td><td>")
                .Append(E(o.Bound)).Append("</td><td class=\"num\">").Append(N(o.Value))
                .Append(o.Output is null ? string.Empty : " <small>(" + E(o.Output) + ")</small>").Append("</td><td>")
                .Append(o.Passed ? "<span class=\"pass-text\">pass</span>" : "<span class=\"fail-text\">FAIL</span>")
                .Append("</td><td class=\"num\">").Append(o.Line?.ToString(CultureInfo.InvariantCulture) ?? "–").Append("</td></tr>\n");
        }

        h.Append("</tbody>\n</table>\n");
    }

    private static void AppendMetrics(StringBuilder h, VerificationMetrics m)
    {
        h.Append("<table class=\"metrics\">\n<thead><tr><th>metric</th><th>fp32</th><th>compressed</th></tr></thead>\n<tbody>\n");
        void Row(string name, string reference, string compressed) =>
            h.Append("<tr><td>").Append(name).Append("</td><td class=\"num\">").Append(reference).Append("</td><td class=\"num\">").Append(compressed).Append("</td></tr>\n");
        Row("samples / predictions compared", "", N(m.Samples) + " / " + N(m.Rows));
        Row(m.OtherOutputs.Count == 0 ? "output compared" : "primary output (of " + N(m.OtherOutputs.Count + 1) + " compared)", "", "<code>" + E(m.Output) + "</code>");
        if (m.Accuracy is { } acc)
        {
            Row("accuracy (labels)", N(m.ReferenceAccuracy ?? double.NaN), N(acc));
        }

        if (m.Perplexity is { } ppl)
        {
            Row("perplexity", N(m.ReferencePerplexity ?? double.NaN), N(ppl));
        }

        Row("top-1 agreement with fp32", "1", N(m.Top1Agreement));
        Row("cosine (mean / min per sample)", "1", N(m.Cosine) + " / " + N(m.MinCosine));
        Row("max / mean |fp32 − compressed|", "0", N(m.MaxAbsError) + " / " + N(m.MeanAbsError));
        Row("SNR of the output", "∞", N(m.SnrDb) + " dB");
        h.Append("</tbody>\n</table>\n");
        AppendOtherOutputs(h, m);
    }

    /// <summary>One row per further output compared: the metrics every output is held to.</summary>
    private static void AppendOtherOutputs(StringBuilder h, VerificationMetrics m)
    {
        if (m.OtherOutputs.Count == 0)
        {
            return;
        }

        h.Append("<table class=\"outputs\">\n<thead><tr><th>output</th><th>top-1 agreement</th><th>cosine (mean / min)</th>")
            .Append("<th>max / mean |error|</th><th>SNR</th></tr></thead>\n<tbody>\n");
        foreach (var o in m.AllOutputs())
        {
            h.Append("<tr><td><code>").Append(E(o.Output)).Append("</code></td><td class=\"num\">").Append(N(o.Top1Agreement))
                .Append("</td><td class=\"num\">").Append(N(o.Cosine)).Append(" / ").Append(N(o.MinCosine))
                .Append("</td><td class=\"num\">").Append(N(o.MaxAbsError)).Append(" / ").Append(N(o.MeanAbsError))
                .Append("</td><td class=\"num\">").Append(N(o.SnrDb)).Append(" dB</td></tr>\n");
        }

        h.Append("</tbody>\n</table>\n");
    }

    private static void AppendFallback(StringBuilder h, FallbackReport? f)
    {
        if (f is null)
        {
            return;
        }

        h.Append("<h3>Fallback (on_regression: fallback)</h3>\n<p>")
            .Append(f.Passed ? "The thresholds hold with " : "The thresholds still fail with ")
            .Append(f.FloatLayers.Count.ToString(CultureInfo.InvariantCulture)).Append(" layer(s) kept in float: ")
            .AppendJoin(", ", f.FloatLayers.Select(l => "<code>" + E(l) + "</code>")).Append(".</p>\n");
        h.Append("<table>\n<thead><tr><th>attempt</th><th>layers in float</th><th>result</th><th>bounds</th></tr></thead>\n<tbody>\n");
        var i = 1;
        foreach (var a in f.Attempts)
        {
            h.Append("<tr class=\"").Append(a.Passed ? "ok" : "bad").Append("\"><td class=\"num\">").Append(i++.ToString(CultureInfo.InvariantCulture))
                .Append("</td><td class=\"num\">").Append(a.FloatLayers.ToString(CultureInfo.InvariantCulture)).Append("</td><td>")
                .Append(a.Passed ? "<span class=\"pass-text\">pass</span>" : "<span class=\"fail-text\">FAIL</span>").Append("</td><td>")
                .AppendJoin("; ", a.Thresholds.Select(o => E(o.Metric) + " " + N(o.Value) + " (" + E(o.Bound) + ")")).Append("</td></tr>\n");
        }

        h.Append("</tbody>\n</table>\n");
    }

    private static void AppendLayerErrors(StringBuilder h, VerificationReport v, IReadOnlyList<StepReport> steps)
    {
        if (v.Layers is not { Count: > 0 } layers)
        {
            return;
        }

        // The SmoothQuant α beside each layer's damage, when a smoothquant step chose one (last step wins).
        var alphas = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var l in steps.SelectMany(s => s.Layers).Where(l => l.Alpha is not null))
        {
            alphas[l.Name] = l.Alpha!.Value;
        }

        var inFloat = new HashSet<string>(v.Fallback?.FloatLayers ?? [], StringComparer.Ordinal);
        h.Append("<h3>Per-layer error: int8 kernel vs fp32, worst first</h3>\n")
            .Append("<p class=\"note\">Each layer alone, on its exact fp32 input from the verify data, run with the bit-exact int8 kernel; ")
            .Append("SNR = 10·log10(Σy² / Σ(y − ŷ)²). Red below 20 dB, amber below 30 dB.")
            .Append(inFloat.Count > 0 ? " Hatched bars: kept in float by the fallback." : string.Empty)
            .Append(alphas.Count > 0 ? " α: the SmoothQuant migration strength chosen for the layer." : string.Empty).Append("</p>\n");
        h.Append(LayerChart(layers, inFloat, alphas));
        h.Append("<table class=\"layers\">\n<thead><tr><th>#</th><th>layer</th><th>op</th><th>activations</th>")
            .Append(alphas.Count > 0 ? "<th>α</th>" : string.Empty).Append("<th>SNR</th><th>cosine</th><th>max |error|</th><th>note</th></tr></thead>\n<tbody>\n");
        var rank = 1;
        foreach (var l in layers)
        {
            var note = inFloat.Contains(l.Name) ? "kept in float by the fallback" : l.Note ?? string.Empty;
            h.Append("<tr").Append(inFloat.Contains(l.Name) ? " class=\"float\"" : string.Empty).Append("><td class=\"num\">")
                .Append(rank++.ToString(CultureInfo.InvariantCulture)).Append("</td><td><code>").Append(E(l.Name)).Append("</code></td><td>")
                .Append(E(l.Op)).Append("</td><td>").Append(E(l.Activation)).Append("</td><td class=\"num\">");
            if (alphas.Count > 0)
            {
                h.Append(alphas.TryGetValue(l.Name, out var alpha) ? F(alpha, "0.00") : "–").Append("</td><td class=\"num\">");
            }

            h.Append(l.SnrDb is { } snr ? E(GateAttribution.FormatDb(snr)) : "–").Append("</td><td class=\"num\">")
                .Append(l.Cosine is { } cos ? F(cos, "0.000000") : "–").Append("</td><td class=\"num\">")
                .Append(l.MaxAbsError is { } err ? N(err) : "–").Append("</td><td>").Append(E(note)).Append("</td></tr>\n");
        }

        h.Append("</tbody>\n</table>\n");
    }

    private static void AppendAlphas(StringBuilder h, IReadOnlyList<StepReport> steps)
    {
        var alphas = steps.SelectMany(s => s.Layers).Where(l => l.Alpha is not null).Select(l => (l.Name, l.Alpha!.Value)).ToList();
        if (alphas.Count == 0)
        {
            return;
        }

        h.Append("<h3>SmoothQuant α per layer</h3>\n<p class=\"note\">Migration strength chosen per layer: ")
            .Append("s_j = max|X_j|^α / max|W_j|^(1−α) (Xiao et al., SmoothQuant, 2023).</p>\n").Append(AlphaChart(alphas));
    }

    private static void AppendSteps(StringBuilder h, IReadOnlyList<StepReport> steps)
    {
        foreach (var s in steps)
        {
            h.Append("<h3>Step <code>").Append(E(s.Step)).Append("</code>: ").Append(E(s.Pass)).Append(", ")
                .Append(s.Layers.Count.ToString(CultureInfo.InvariantCulture)).Append(" layer(s)</h3>\n");
            if (s.Layers.Count == 0)
            {
                continue;
            }

            h.Append("<table class=\"steps\">\n<thead><tr><th>layer</th><th>op</th><th>weight shape</th><th>bytes before</th><th>bytes after</th><th>max |w − ŵ|</th></tr></thead>\n<tbody>\n");
            foreach (var l in s.Layers)
            {
                h.Append("<tr><td><code>").Append(E(l.Name)).Append("</code></td><td>").Append(E(l.Op)).Append("</td><td>[")
                    .AppendJoin(", ", l.Shape.Select(d => d.ToString(CultureInfo.InvariantCulture))).Append("]</td><td class=\"num\">")
                    .Append(Bytes(l.BytesBefore)).Append("</td><td class=\"num\">").Append(Bytes(l.BytesAfter)).Append("</td><td class=\"num\">")
                    .Append(l.MaxAbsWeightError is { } e ? N(e) : "–").Append("</td></tr>\n");
            }

            h.Append("</tbody>\n</table>\n");
        }
    }

    /// <summary>
    /// The gate's verdict for one model at the top of its section: the MC5xxx breaches and fallback outcomes that
    /// name it, which carry the worst layers and the recipe line that fixes them (the full list stays at the end).
    /// </summary>
    private static void AppendGateMessages(StringBuilder h, string model, IReadOnlyList<string> diagnostics)
    {
        var mine = diagnostics.Where(d => d.Contains("model '" + model + "'", StringComparison.Ordinal)
            && (d.Contains(": error MC5", StringComparison.Ordinal) || d.Contains(": warning MC5", StringComparison.Ordinal))).ToList();
        if (mine.Count == 0)
        {
            return;
        }

        h.Append("<div class=\"verdict\">\n");
        foreach (var d in mine)
        {
            // Show the message from its code on: the file(line,col) prefix is in the thresholds table already.
            var at = d.IndexOf(" MC5", StringComparison.Ordinal);
            h.Append("<p class=\"").Append(d.Contains(": error MC", StringComparison.Ordinal) ? "error" : "warning").Append("\">")
                .Append(E(at > 0 ? d[(at + 1)..] : d)).Append("</p>\n");
        }

        h.Append("</div>\n");
    }

    private static void AppendDiagnostics(StringBuilder h, IReadOnlyList<string> diagnostics)
    {
        h.Append("<section class=\"diagnostics\">\n<h2>Diagnostics</h2>\n");
        if (diagnostics.Count == 0)
        {
            h.Append("<p class=\"note\">None.</p>\n</section>\n");
            return;
        }

        h.Append("<ul>\n");
        foreach (var d in diagnostics)
        {
            var kind = d.Contains(": error MC", StringComparison.Ordinal) ? "error" : d.Contains(": warning MC", StringComparison.Ordinal) ? "warning" : "info";
            h.Append("<li class=\"").Append(kind).Append("\"><code>").Append(E(d)).Append("</code></li>\n");
        }

        h.Append("</ul>\n</section>\n");
    }

    private static void AppendTimings(StringBuilder h, RunTimings t)
    {
        // The only run-dependent part of the page, set apart so that a diff of two reports can skip it.
        h.Append("<section class=\"timings\" id=\"timings\">\n<h2>Timings <small>(vary from run to run; everything above is deterministic)</small></h2>\n")
            .Append("<table>\n<thead><tr><th>model</th><th>load</th><th>steps</th><th>verify</th></tr></thead>\n<tbody>\n");
        foreach (var m in t.Models)
        {
            h.Append("<tr><td>").Append(E(m.Name)).Append("</td><td class=\"num\">").Append(Ms(m.LoadMilliseconds)).Append("</td><td class=\"num\">")
                .AppendJoin(" + ", m.StepMilliseconds.Select(Ms)).Append("</td><td class=\"num\">").Append(Ms(m.VerifyMilliseconds)).Append("</td></tr>\n");
        }

        h.Append("</tbody>\n</table>\n<p class=\"note\">total ").Append(Ms(t.TotalMilliseconds)).Append(" · per-layer cache: ")
            .Append(t.CacheHits.ToString(CultureInfo.InvariantCulture)).Append(" hit(s), ")
            .Append(t.CacheMisses.ToString(CultureInfo.InvariantCulture)).Append(" miss(es)</p>\n</section>\n");
    }

    private static string Ms(double ms) => ms >= 1000 ? F(ms / 1000, "0.00") + " s" : F(ms, "0") + " ms";
}
