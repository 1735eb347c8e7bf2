using System.Text;
using ModelCompress.Onnx.Diagnostics;

namespace ModelCompress.Cli;

/// <summary>Maps failures to <see cref="ExitCode"/> values and describes the codes for <c>--help</c>.</summary>
public static class ExitCodes
{
    /// <summary>The exit code for an anticipated, coded failure.</summary>
    public static ExitCode For(Diagnostic diagnostic)
    {
        ArgumentNullException.ThrowIfNull(diagnostic);
        var code = diagnostic.Code;
        if (code == "MC5001")
        {
            return ExitCode.AccuracyBudgetExceeded;
        }

        return code.Length >= 3 ? code[2] switch
        {
            '1' => ExitCode.InvalidModel,
            '2' => ExitCode.InvalidRecipe,
            '9' => ExitCode.InternalError,
            _ => ExitCode.CompressionFailed,
        } : ExitCode.InternalError;
    }

    /// <summary>The exit-code table shown by <c>--help</c>.</summary>
    public static string Describe()
    {
        var sb = new StringBuilder("Exit codes:");
        foreach (var value in Enum.GetValues<ExitCode>())
        {
            sb.Append('\n').Append("  ").Append((int)value).Append("  ").Append(value);
        }

        return sb.ToString();
    }
}
