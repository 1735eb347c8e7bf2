using ModelCompress.Diagnostics;
using ModelCompress.Engine;
using ModelCompress.Onnx.Diagnostics;

namespace ModelCompress.Cli;

/// <summary>
/// Turns an exception from a verb into one stderr line and an exit code. Coded (anticipated) failures print their
/// canonical line only; cancellation prints one line; anything else is a bug and prints its stack trace as well.
/// </summary>
internal static class CliErrors
{
    public static ExitCode Handle(Exception ex, TextWriter stderr)
    {
        switch (ex)
        {
            case ModelCompressException mce:
                stderr.WriteLine(mce.Diagnostic.ToCanonicalString());
                return ExitCodes.For(mce.Diagnostic);
            case OperationCanceledException:
                stderr.WriteLine("Cancelled; no output was left under a final name.");
                return ExitCode.Cancelled;
            default:
                stderr.WriteLine(EngineDiagnostics.Catalog.Error("MC9301", ex.GetType().Name + ": " + ex.Message).ToCanonicalString());
                stderr.WriteLine(ex.StackTrace);
                return ExitCode.InternalError;
        }
    }
}
