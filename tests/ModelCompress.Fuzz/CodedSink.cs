using System.Text.RegularExpressions;
using ModelCompress.Onnx.Diagnostics;

namespace ModelCompress.Fuzz;

/// <summary>
/// Readers that report into a sink instead of throwing (the recipe loader, the cache) are classified by what they
/// reported: a diagnostic of at least the given severity becomes a coded outcome, provided it really carries a code.
/// </summary>
public static partial class CodedSink
{
    /// <summary>Throws the first diagnostic at <paramref name="atLeast"/> or worse as a coded exception.</summary>
    public static void ThrowFirst(ListDiagnosticSink sink, DiagnosticSeverity atLeast)
    {
        ArgumentNullException.ThrowIfNull(sink);
        var first = sink.Items.FirstOrDefault(d => d.Severity >= atLeast);
        if (first is null)
        {
            return;
        }

        if (!CodePattern().IsMatch(first.Code))
        {
            throw new InvalidOperationException($"a diagnostic without an MCnnnn code: '{first.Code}' {first.Message}");
        }

        throw new ModelCompressException(first);
    }

    [GeneratedRegex("^MC[0-9]{4}$")]
    private static partial Regex CodePattern();
}
