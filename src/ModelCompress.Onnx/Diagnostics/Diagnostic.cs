using System.Globalization;
using System.Text;

namespace ModelCompress.Onnx.Diagnostics;

/// <summary>
/// One coded finding. Every warning and error carries a code <c>MCnnnn</c>; the file/line/column point at
/// the recipe or model that caused it when there is one, so MSBuild and editors can jump to it.
/// </summary>
/// <param name="Code">The code, e.g. <c>MC2003</c>. Ranges: MC1xxx model I/O, MC2xxx recipe, MC3xxx calibration and
/// quantization, MC4xxx pruning/distillation, MC5xxx verification, MC6xxx cache, MC7xxx build integration, MC9xxx internal.</param>
/// <param name="Severity">Info, warning or error.</param>
/// <param name="Message">The text without the code prefix.</param>
/// <param name="File">The file it is about, if any.</param>
/// <param name="Line">1-based line, 0 when unknown.</param>
/// <param name="Column">1-based column, 0 when unknown.</param>
/// <param name="Node">The graph node or layer it is about, if any.</param>
public sealed record Diagnostic(
    string Code,
    DiagnosticSeverity Severity,
    string Message,
    string? File = null,
    int Line = 0,
    int Column = 0,
    string? Node = null)
{
    /// <summary>The MSBuild canonical form: <c>file(line,col): error MC2003: message</c>.</summary>
    public string ToCanonicalString()
    {
        var sb = new StringBuilder();
        if (!string.IsNullOrEmpty(File))
        {
            sb.Append(File);
            if (Line > 0)
            {
                sb.Append(CultureInfo.InvariantCulture, $"({Line}");
                if (Column > 0)
                {
                    sb.Append(CultureInfo.InvariantCulture, $",{Column}");
                }

                sb.Append(')');
            }

            sb.Append(": ");
        }

        sb.Append(Severity switch
        {
            DiagnosticSeverity.Error => "error ",
            DiagnosticSeverity.Warning => "warning ",
            _ => "info ",
        });
        sb.Append(Code).Append(": ").Append(Message);
        return sb.ToString();
    }

    /// <inheritdoc />
    public override string ToString() => ToCanonicalString();
}
