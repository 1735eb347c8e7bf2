namespace ModelCompress.Onnx.Diagnostics;

/// <summary>
/// Where the engine reports diagnostics and progress. The engine never writes to the console or to MSBuild
/// itself; the CLI and the build task each provide a sink.
/// </summary>
public interface IDiagnosticSink
{
    /// <summary>Reports one diagnostic.</summary>
    void Report(Diagnostic diagnostic);
}
