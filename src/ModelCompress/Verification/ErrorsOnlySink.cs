using ModelCompress.Onnx.Diagnostics;

namespace ModelCompress.Verification;

/// <summary>Forwards errors only: a fallback attempt repeats the first build's steps, whose warnings were reported once.</summary>
internal sealed class ErrorsOnlySink(IDiagnosticSink inner) : IDiagnosticSink
{
    public void Report(Diagnostic diagnostic)
    {
        ArgumentNullException.ThrowIfNull(diagnostic);
        if (diagnostic.Severity == DiagnosticSeverity.Error)
        {
            inner.Report(diagnostic);
        }
    }
}
