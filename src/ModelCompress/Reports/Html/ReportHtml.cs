using System.Globalization;
using System.Net;
using System.Text;

namespace ModelCompress.Reports.Html;

/// <summary>
/// Renders a <see cref="CompressionReport"/> as one self-contained HTML page: inline CSS and inline SVG charts, no
/// script and no external resource, so it opens offline and from a build artifact. The page is a function of the
/// report: everything outside the final "Timings" block is byte-identical for identical inputs.
/// </summary>
public static partial class ReportHtml
{
    /// <summary>The UTF-8 bytes of the page for <paramref name="report"/>.</summary>
    public static byte[] ToUtf8(CompressionReport report) => Encoding.UTF8.GetBytes(Render(report));

    /// <summary>The page for <paramref name="report"/>, with '\n' line ends.</summary>
    public static string Render(CompressionReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>ModelCompress report: ").Append(E(report.Recipe)).Append("</title>\n")
            .Append("<style>\n").Append(Css).Append("</style>\n</head>\n<body>\n").Append(SharedDefs).Append("<main>\n");
        h.Append("<header>\n<h1>ModelCompress report</h1>\n<p class=\"meta\">recipe <code>").Append(E(report.Recipe))
            .Append("</code> · engine ").Append(E(report.EngineVersion)).Append(" · ").Append(E(report.Schema)).Append("</p>\n")
            .Append(Badge(report.Passed, report.Passed ? "all accuracy gates passed" : "accuracy budget exceeded", "big"))
            .Append("\n</header>\n");
        foreach (var model in report.Models)
        {
            AppendModel(h, model, report.Diagnostics);
        }

        AppendDiagnostics(h, report.Diagnostics);
        AppendTimings(h, report.Timings);
        h.Append("</main>\n</body>\n</html>\n");
        return h.ToString();
    }

    private static void AppendModel(StringBuilder h, ModelReport m, IReadOnlyList<string> diagnostics)
    {
        var v = m.Verification;
        h.Append("<section class=\"model\">\n<h2>").Append(E(m.Name)).Append(' ');
        h.Append(v is null ? "<span class=\"badge none\">not verified</span>" : Badge(v.Passed, v.Passed ? "passed" : "failed", string.Empty));
        h.Append("</h2>\n<p class=\"meta\"><code>").Append(E(m.Source)).Append("</code> → <code>").Append(E(m.Output)).Append("</code>");
        if (v is not null)
        {
            h.Append(" · verified on <code>").Append(E(v.Data)).Append("</code>");
        }

        h.Append("</p>\n");
        AppendGateMessages(h, m.Name, diagnostics);
        h.Append("<div class=\"grid\">\n<div class=\"card\">\n<h3>Size</h3>\n").Append(SizeChart(m.SourceBytes, m.OutputBytes)).Append("</div>\n");
        if (v is not null)
        {
            h.Append("<div class=\"card\">\n<h3>Thresholds</h3>\n");
            AppendThresholds(h, v.Thresholds);
            h.Append("</div>\n");
        }

        h.Append("</div>\n");
        if (v is not null)
        {
            h.Append("<h3>Metrics: fp32 vs compressed</h3>\n");
            AppendMetrics(h, v.Metrics);
            AppendFallback(h, v.Fallback);
            AppendLayerErrors(h, v, m.Steps);
        }

        AppendTuning(h, m.Tuning);
        AppendAlphas(h, m.Steps);
        AppendSteps(h, m.Steps);
        h.Append("</section>\n");
    }

    private static string Badge(bool passed, string text, string extraClass) =>
        "<span class=\"badge " + (passed ? "pass" : "fail") + (extraClass.Length > 0 ? " " + extraClass : string.Empty) + "\">"
        + (passed ? "✔ " : "✘ ") + E(text) + "</span>";

    /// <summary>HTML-encodes text (also safe inside SVG).</summary>
    private static string E(string? s) => WebUtility.HtmlEncode(s ?? string.Empty);

    /// <summary>A metric value: up to 6 significant digits, invariant culture.</summary>
    private static string N(double v) => double.IsPositiveInfinity(v) ? "∞" : double.IsNegativeInfinity(v) ? "−∞" : v.ToString("G6", CultureInfo.InvariantCulture);

    /// <summary>A number with a fixed format, invariant culture.</summary>
    private static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);

    private static string Bytes(long n) => n >= 1 << 20
        ? F(n / 1048576.0, "0.00") + " MiB"
        : n >= 1024 ? F(n / 1024.0, "0.0") + " KiB" : n.ToString(CultureInfo.InvariantCulture) + " B";
}
