using ModelCompress.Diagnostics;
using ModelCompress.Onnx.Diagnostics;

namespace ModelCompress.Recipe;

/// <summary>
/// Emits the loader's coded diagnostics at recipe positions and remembers whether an error was reported, so the
/// loader can go on collecting every problem in the file and still refuse to return a recipe at the end.
/// </summary>
internal sealed class RecipeReport(string file, IDiagnosticSink sink)
{
    public string File { get; } = file;

    public bool HasErrors { get; private set; }

    public int ErrorCount { get; private set; }

    public SourceLocation At(YNode node) => new(File, node.Line, node.Column);

    public void Error(string code, YNode? at, params object?[] args) =>
        Emit(code, DiagnosticSeverity.Error, at?.Line ?? 0, at?.Column ?? 0, args);

    public void ErrorAt(string code, int line, int column, params object?[] args) =>
        Emit(code, DiagnosticSeverity.Error, line, column, args);

    public void Warning(string code, YNode? at, params object?[] args) =>
        Emit(code, DiagnosticSeverity.Warning, at?.Line ?? 0, at?.Column ?? 0, args);

    private void Emit(string code, DiagnosticSeverity severity, int line, int column, object?[] args)
    {
        if (severity == DiagnosticSeverity.Error)
        {
            HasErrors = true;
            ErrorCount++;
        }

        sink.Report(EngineDiagnostics.Catalog.Create(code, severity, File, line, column, args));
    }
}
