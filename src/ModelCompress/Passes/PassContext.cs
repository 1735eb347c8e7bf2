using ModelCompress.Diagnostics;
using ModelCompress.Engine;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Recipe;

namespace ModelCompress.Passes;

/// <summary>What a pass may know about where it runs: the model's name, the step's recipe location and the sink.</summary>
/// <param name="ModelName">The recipe's model name.</param>
/// <param name="StepLocation">Where the step was written in the recipe (diagnostics point there).</param>
/// <param name="Sink">Where the pass reports warnings and notes.</param>
public sealed record PassContext(string ModelName, SourceLocation StepLocation, IDiagnosticSink Sink)
{
    /// <summary>Reports a coded diagnostic at the step's recipe line.</summary>
    public void Report(string code, DiagnosticSeverity severity, params object?[] args) =>
        Sink.Report(EngineDiagnostics.Catalog.Create(code, severity, StepLocation.File, StepLocation.Line, StepLocation.Column, args));

    /// <summary>A fatal coded error at the step's recipe line.</summary>
    public ModelCompressException Error(string code, params object?[] args) =>
        EngineDiagnostics.FailAt(code, StepLocation.File, StepLocation.Line, StepLocation.Column, args);
}
