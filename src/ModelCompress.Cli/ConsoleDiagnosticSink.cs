using ModelCompress.Onnx.Diagnostics;

namespace ModelCompress.Cli;

/// <summary>
/// Writes diagnostics to stderr in MSBuild's canonical form (<c>file(line,col): error MC2003: text</c>), which both
/// editors and the build task's ToolTask parse. Info diagnostics are written too; they never fail a run.
/// </summary>
internal sealed class ConsoleDiagnosticSink(TextWriter stderr) : IDiagnosticSink
{
    private readonly Lock _gate = new();

    public int Errors { get; private set; }

    public void Report(Diagnostic diagnostic)
    {
        ArgumentNullException.ThrowIfNull(diagnostic);
        lock (_gate)
        {
            if (diagnostic.Severity == DiagnosticSeverity.Error)
            {
                Errors++;
            }

            stderr.WriteLine(diagnostic.ToCanonicalString());
        }
    }
}
