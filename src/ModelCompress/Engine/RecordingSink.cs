using ModelCompress.Onnx.Diagnostics;

namespace ModelCompress.Engine;

/// <summary>Forwards diagnostics to the caller's sink and keeps warnings and errors for the report.</summary>
internal sealed class RecordingSink(IDiagnosticSink inner) : IDiagnosticSink
{
    private readonly List<Diagnostic> _kept = [];

    public IReadOnlyList<Diagnostic> Kept => _kept;

    public void Report(Diagnostic diagnostic)
    {
        ArgumentNullException.ThrowIfNull(diagnostic);
        if (diagnostic.Severity != DiagnosticSeverity.Info)
        {
            _kept.Add(diagnostic);
        }

        inner.Report(diagnostic);
    }
}
