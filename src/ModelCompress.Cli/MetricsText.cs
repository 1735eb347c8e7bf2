using System.Globalization;
using ModelCompress.Reports;

namespace ModelCompress.Cli;

/// <summary>One line describing a verification for humans.</summary>
internal static class MetricsText
{
    public static string Describe(VerificationReport v)
    {
        var m = v.Metrics;
        var text = string.Create(CultureInfo.InvariantCulture,
            $"verify on {m.Samples} samples: top1_agreement {m.Top1Agreement:0.####}, cosine {m.Cosine:0.######}, max_abs_error {m.MaxAbsError:G4}");
        if (m.Accuracy is { } acc && m.ReferenceAccuracy is { } reference)
        {
            text += string.Create(CultureInfo.InvariantCulture, $", accuracy {acc:0.####} (fp32 {reference:0.####})");
        }

        if (m.Perplexity is { } ppl && m.ReferencePerplexity is { } refPpl)
        {
            text += string.Create(CultureInfo.InvariantCulture, $", perplexity {ppl:0.####} (fp32 {refPpl:0.####})");
        }

        return text + (v.Passed ? " - passed" : " - FAILED");
    }
}
