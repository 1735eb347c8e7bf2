using System.Text;
using ModelCompress.Verification;

namespace ModelCompress.Reports.Html;

/// <summary>Inline SVG charts: sizes, per-layer SNR, SmoothQuant α. Coordinates are computed here, so no script runs.</summary>
public static partial class ReportHtml
{
    private const int RowHeight = 22;
    private const int CharWidth = 8; // 12 px monospace is 7.2 px per character (DejaVu Sans Mono); rounded up so long names never touch the edge

    /// <summary>The hatch pattern the layer chart uses for layers kept in float, defined once per page.</summary>
    private const string SharedDefs =
        "<svg width=\"0\" height=\"0\" class=\"defs\" aria-hidden=\"true\"><defs><pattern id=\"mc-hatch\" width=\"6\" height=\"6\" " +
        "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#cfd6de\"/>" +
        "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#8a96a3\" stroke-width=\"3\"/></pattern></defs></svg>\n";

    private static string SizeChart(long before, long after)
    {
        const int width = 460, label = 110, plot = 230;
        var max = Math.Max(1, Math.Max(before, after));
        var s = new StringBuilder();
        s.Append("<svg class=\"chart\" width=\"").Append(width).Append("\" height=\"84\" viewBox=\"0 0 ").Append(width)
            .Append(" 84\" role=\"img\" aria-label=\"model size before and after\">\n");
        void Bar(int y, string name, long bytes, string color)
        {
            var w = Math.Max(1, (int)Math.Round((double)plot * bytes / max));
            s.Append("<text x=\"0\" y=\"").Append(y + 15).Append("\" class=\"lbl\">").Append(E(name)).Append("</text>")
                .Append("<rect x=\"").Append(label).Append("\" y=\"").Append(y).Append("\" width=\"").Append(w).Append("\" height=\"20\" rx=\"3\" fill=\"")
                .Append(color).Append("\"/>")
                .Append("<text x=\"").Append(label + w + 6).Append("\" y=\"").Append(y + 15).Append("\" class=\"val\">").Append(Bytes(bytes)).Append("</text>\n");
        }

        Bar(4, "fp32 source", before, "#9aa5b1");
        Bar(30, "compressed", after, "#2f6fb3");
        var ratio = before == 0 ? 0 : (double)after / before;
        s.Append("<text x=\"0\" y=\"76\" class=\"note\">").Append(F(ratio, "0.000")).Append("× the source size (")
            .Append(F((ratio - 1) * 100, "+0.0;−0.0")).Append(" %)</text>\n</svg>\n");
        return s.ToString();
    }

    private static string LayerChart(IReadOnlyList<LayerError> layers, IReadOnlySet<string> inFloat, IReadOnlyDictionary<string, double> alphas)
    {
        var finite = layers.Where(l => l.SnrDb is { } d && double.IsFinite(d)).Select(l => l.SnrDb!.Value).DefaultIfEmpty(0).Max();
        var scaleMax = Math.Max(40, Math.Ceiling(finite / 10) * 10);
        var label = Math.Clamp((layers.Max(l => l.Name.Length) * CharWidth) + 12, 120, 320);
        const int plot = 520, top = 22;
        var value = alphas.Count > 0 ? 290 : 200; // room for "· α 0.45" after the SNR
        var width = label + plot + value;
        var height = top + (layers.Count * RowHeight) + 6;
        var s = new StringBuilder();
        s.Append("<svg class=\"chart\" width=\"").Append(width).Append("\" height=\"").Append(height).Append("\" viewBox=\"0 0 ")
            .Append(width).Append(' ').Append(height).Append("\" role=\"img\" aria-label=\"per-layer SNR in dB, worst first\">\n");
        for (var db = 0; db <= scaleMax; db += 10)
        {
            var x = label + (int)Math.Round(plot * db / scaleMax);
            s.Append("<line x1=\"").Append(x).Append("\" y1=\"").Append(top - 4).Append("\" x2=\"").Append(x).Append("\" y2=\"").Append(height - 4)
                .Append("\" class=\"grid\"/><text x=\"").Append(x).Append("\" y=\"12\" class=\"tick\">").Append(db).Append(db == 0 ? " dB" : string.Empty).Append("</text>\n");
        }

        var y = top;
        foreach (var l in layers)
        {
            var name = Fit(l.Name, (label - 12) / CharWidth);
            s.Append("<g><title>").Append(E(l.Name)).Append("</title><text x=\"").Append(label - 8).Append("\" y=\"").Append(y + 15)
                .Append("\" class=\"name\">").Append(E(name)).Append("</text>");
            if (l.SnrDb is { } snr)
            {
                var w = double.IsPositiveInfinity(snr) ? plot : Math.Clamp((int)Math.Round(plot * Math.Max(0, snr) / scaleMax), 2, plot);
                var fill = inFloat.Contains(l.Name) ? "url(#mc-hatch)" : snr < 20 ? "#d64545" : snr < 30 ? "#e0a030" : "#3c9d5d";
                s.Append("<rect x=\"").Append(label).Append("\" y=\"").Append(y + 3).Append("\" width=\"").Append(w).Append("\" height=\"16\" rx=\"2\" fill=\"")
                    .Append(fill).Append("\"/><text x=\"").Append(label + w + 6).Append("\" y=\"").Append(y + 15).Append("\" class=\"val\">")
                    .Append(E(GateAttribution.FormatDb(snr))).Append(l.Cosine is { } c ? " · cos " + F(c, "0.00000") : string.Empty)
                    .Append(inFloat.Contains(l.Name) ? " · float" : string.Empty)
                    .Append(alphas.TryGetValue(l.Name, out var alpha) ? " · α " + F(alpha, "0.00") : string.Empty).Append("</text>");
            }
            else
            {
                s.Append("<text x=\"").Append(label + 4).Append("\" y=\"").Append(y + 15).Append("\" class=\"val\">not simulated</text>");
            }

            s.Append("</g>\n");
            y += RowHeight;
        }

        return s.Append("</svg>\n").ToString();
    }

    private static string AlphaChart(IReadOnlyList<(string Name, double Alpha)> alphas)
    {
        var label = Math.Clamp((alphas.Max(a => a.Name.Length) * CharWidth) + 12, 120, 320);
        const int plot = 400, top = 22;
        var width = label + plot + 60;
        var height = top + (alphas.Count * RowHeight) + 6;
        var s = new StringBuilder();
        s.Append("<svg class=\"chart\" width=\"").Append(width).Append("\" height=\"").Append(height).Append("\" viewBox=\"0 0 ")
            .Append(width).Append(' ').Append(height).Append("\" role=\"img\" aria-label=\"SmoothQuant alpha per layer\">\n");
        for (var t = 0; t <= 4; t++)
        {
            var x = label + (plot * t / 4);
            s.Append("<line x1=\"").Append(x).Append("\" y1=\"").Append(top - 4).Append("\" x2=\"").Append(x).Append("\" y2=\"").Append(height - 4)
                .Append("\" class=\"grid\"/><text x=\"").Append(x).Append("\" y=\"12\" class=\"tick\">").Append(F(t / 4.0, "0.00")).Append("</text>\n");
        }

        var y = top;
        foreach (var (name, alpha) in alphas)
        {
            var w = Math.Clamp((int)Math.Round(plot * alpha), 2, plot);
            s.Append("<g><title>").Append(E(name)).Append("</title><text x=\"").Append(label - 8).Append("\" y=\"").Append(y + 15).Append("\" class=\"name\">")
                .Append(E(Fit(name, (label - 12) / CharWidth))).Append("</text><rect x=\"").Append(label).Append("\" y=\"").Append(y + 3).Append("\" width=\"")
                .Append(w).Append("\" height=\"16\" rx=\"2\" fill=\"#6a5acd\"/><text x=\"").Append(label + w + 6).Append("\" y=\"").Append(y + 15)
                .Append("\" class=\"val\">α ").Append(F(alpha, "0.00")).Append("</text></g>\n");
            y += RowHeight;
        }

        return s.Append("</svg>\n").ToString();
    }

    /// <summary>Shortens a name to <paramref name="chars"/> characters, keeping its end (the distinctive part of paths like /blocks.5/mlp/fc2/MatMul).</summary>
    private static string Fit(string name, int chars) =>
        name.Length <= chars || chars < 4 ? name : "…" + name[^(chars - 1)..];
}
