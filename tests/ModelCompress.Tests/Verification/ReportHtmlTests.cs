using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ModelCompress.Passes;
using ModelCompress.Reports;
using ModelCompress.Reports.Html;
using ModelCompress.Verification;

namespace ModelCompress.Tests.Verification;

public sealed partial class ReportHtmlTests
{
    private static CompressionReport Report(RunTimings timings, string layerName = "/blocks.5/mlp/fc2/MatMul")
    {
        var metrics = new VerificationMetrics(200, 200, "logits", 1, 0.99998, 0.99994, 54.3, 12.9, 0.995, 0.995, 43.79);
        GateOutcome[] outcomes = [new("top1_agreement", 1, ">= 1", true, 13), new("cosine", 0.99998, ">= 0.99999", false, 14)];
        LayerError[] layers =
        [
            new(layerName, "MatMul", "static uint8", 14.2, 0.981, 3.2),
            new("/head/Gemm", "Gemm", "dynamic uint8", 31.7, 0.9997, 0.4),
            new("/stem/Conv", "Conv", "dynamic uint8", null, null, null, "only 1-D and 2-D convolutions are simulated"),
        ];
        var fallback = new FallbackReport([layerName], [new FallbackAttempt(1, false, outcomes)], false);
        var steps = new StepReport[]
        {
            new("smoothquant", "smoothquant", "s", [new LayerReport(layerName, "MatMul", "w", [256, 64], "k", 65536, 65536, null, Alpha: 0.55)]),
            new("quantize", "weight_only_int8", "q", [new LayerReport("/head/Gemm", "Gemm", "w2", [10, 64], "k2", 2560, 680, 0.004)]),
        };
        var model = new ModelReport("enc", "models/enc.onnx", "enc.onnx", 27000, 9400, 0.348148, steps,
            new VerificationReport("data/v.npz", metrics, outcomes, false, layers, fallback));
        return new CompressionReport(CompressionReport.CurrentSchema, "0.1.0", "compression.yaml", false, [model],
            ["compression.yaml(14,11): error MC5001: Accuracy budget exceeded for model 'enc': cosine is 0.99998, the recipe allows >= 0.99999."],
            timings);
    }

    private static RunTimings Timings(double ms) => new(ms, [new ModelTimings("enc", ms / 4, [ms / 4], ms / 2)], 1, 2);

    [GeneratedRegex("<script|https?://|<link|@import|url\\((?!#)", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalOrActive();

    [Fact]
    public void The_page_names_every_layer_shows_pass_and_fail_and_draws_the_charts()
    {
        var html = ReportHtml.Render(Report(Timings(1234)));

        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Contains("/blocks.5/mlp/fc2/MatMul", html, StringComparison.Ordinal);
        Assert.Contains("/head/Gemm", html, StringComparison.Ordinal);
        Assert.Contains("only 1-D and 2-D convolutions are simulated", html, StringComparison.Ordinal);
        Assert.Contains("FAIL", html, StringComparison.Ordinal);
        Assert.Contains(">pass<", html, StringComparison.Ordinal);
        Assert.Contains("accuracy budget exceeded", html, StringComparison.Ordinal);
        Assert.Contains("14.2 dB", html, StringComparison.Ordinal);
        Assert.Contains("α 0.55", html, StringComparison.Ordinal);          // the SmoothQuant chart
        Assert.Contains("26.4 KiB", html, StringComparison.Ordinal);        // size before
        Assert.Contains("kept in float by the fallback", html, StringComparison.Ordinal);
        Assert.Equal(3, Regex.Matches(html, "<svg class=\"chart\"").Count); // size, per-layer SNR, α
        // The breach is repeated at the top of the model's section, without its file prefix, before the numbers.
        var verdict = html.IndexOf("<div class=\"verdict\">\n<p class=\"error\">MC5001: Accuracy budget exceeded for model &#39;enc&#39;", StringComparison.Ordinal);
        Assert.True(verdict > 0 && verdict < html.IndexOf("<table class=\"thresholds\">", StringComparison.Ordinal));
        Assert.True(html.IndexOf("/blocks.5/mlp/fc2/MatMul", StringComparison.Ordinal) < html.IndexOf("/head/Gemm", StringComparison.Ordinal));
    }

    [Fact]
    public void The_page_is_self_contained_and_escapes_names()
    {
        var html = ReportHtml.Render(Report(Timings(1), layerName: "<img src=x onerror=alert(1)>"));

        Assert.DoesNotMatch(ExternalOrActive(), html);
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_the_timings_block_at_the_end_depends_on_the_run()
    {
        var a = ReportHtml.Render(Report(Timings(1234)));
        var b = ReportHtml.Render(Report(Timings(98765)));

        var cut = a.IndexOf("<section class=\"timings\"", StringComparison.Ordinal);
        Assert.True(cut > 0);
        Assert.Equal(a[..cut], b[..b.IndexOf("<section class=\"timings\"", StringComparison.Ordinal)]);
        Assert.NotEqual(a, b);
        Assert.Equal(a, ReportHtml.Render(Report(Timings(1234))));
        Assert.DoesNotContain("<section", a[(cut + 10)..], StringComparison.Ordinal); // nothing after the timings
    }

    [Fact]
    public void Alpha_from_report_json_layers_is_drawn_per_layer_and_listed_beside_each_layers_error()
    {
        // A report.json as another pass writes it: the quantize step's layers carry the chosen SmoothQuant α.
        var json = JsonNode.Parse(ReportJson.ToUtf8(Report(Timings(5))))!;
        var steps = json["models"]![0]!["steps"]!.AsArray();
        steps.RemoveAt(0); // no smoothquant step of its own: the α arrives only on the layers' entries
        var layers = steps[0]!["layers"]!.AsArray();
        layers.Add(JsonNode.Parse(layers[0]!.ToJsonString())!);
        layers[0]!["alpha"] = 0.35;
        layers[1]!["name"] = "/blocks.5/mlp/fc2/MatMul";
        layers[1]!["alpha"] = 0.6;
        var report = ReportJson.Parse(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString()));

        var html = ReportHtml.Render(report);

        Assert.Contains("<h3>SmoothQuant α per layer</h3>", html, StringComparison.Ordinal);
        Assert.Contains("α 0.35", html, StringComparison.Ordinal);
        Assert.Contains("α 0.60", html, StringComparison.Ordinal);
        Assert.Contains("31.7 dB · cos 0.99970 · α 0.35</text>", html, StringComparison.Ordinal); // beside the layer's bar
        Assert.Equal(3, Regex.Matches(html, "<svg class=\"chart\"").Count);
        Assert.Contains("<th>activations</th><th>α</th><th>SNR</th>", html, StringComparison.Ordinal);
        Assert.Matches("<code>/head/Gemm</code></td><td>Gemm</td><td>dynamic uint8</td><td class=\"num\">0.35</td>", html);
        Assert.Matches("<code>/blocks.5/mlp/fc2/MatMul</code></td><td>MatMul</td><td>static uint8</td><td class=\"num\">0.60</td>", html);
        Assert.Matches("<code>/stem/Conv</code></td><td>Conv</td><td>dynamic uint8</td><td class=\"num\">–</td>", html);
    }

    [Fact]
    public void Without_alpha_there_is_no_alpha_chart_or_column()
    {
        var json = JsonNode.Parse(ReportJson.ToUtf8(Report(Timings(5))))!;
        json["models"]![0]!["steps"]!.AsArray().RemoveAt(0);
        var html = ReportHtml.Render(ReportJson.Parse(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString())));

        Assert.DoesNotContain("α", html, StringComparison.Ordinal);
        Assert.Equal(2, Regex.Matches(html, "<svg class=\"chart\"").Count);
    }
}
