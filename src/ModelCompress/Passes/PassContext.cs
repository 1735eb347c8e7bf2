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
    /// <summary>
    /// The report's largest weight rounding error per layer work key, when a run stored them for these very layers
    /// (their keys fix their weights and results): a weight-streaming pass then does not read the weights again for
    /// its report.
    /// </summary>
    public IReadOnlyDictionary<string, double?>? KnownWeightErrors { get; init; }

    /// <summary>The layer's largest weight error: known for <paramref name="keyHex"/>, or computed.</summary>
    public double? WeightError(string keyHex, Func<double?> compute)
    {
        ArgumentNullException.ThrowIfNull(compute);
        return KnownWeightErrors is { } known && known.TryGetValue(keyHex, out var error) ? error : compute();
    }

    /// <summary>
    /// Reads back, or computes and keeps, a value derived from the model as it stood before this step (not a layer's
    /// work: an embedding table's plan), by a name unique within the step; null computes every time (no cache). The
    /// bytes may come from the cache: the caller decodes them and computes again what does not decode.
    /// </summary>
    public Func<string, Func<byte[]>, byte[]>? ModelDerived { get; init; }

    /// <summary>The value named <paramref name="name"/>: read back through <see cref="ModelDerived"/>, or computed.</summary>
    public byte[] FromModel(string name, Func<byte[]> compute)
    {
        ArgumentNullException.ThrowIfNull(compute);
        return ModelDerived is { } memo ? memo(name, compute) : compute();
    }

    /// <summary>Reports a coded diagnostic at the step's recipe line.</summary>
    public void Report(string code, DiagnosticSeverity severity, params object?[] args) =>
        Sink.Report(EngineDiagnostics.Catalog.Create(code, severity, StepLocation.File, StepLocation.Line, StepLocation.Column, args));

    /// <summary>A fatal coded error at the step's recipe line.</summary>
    public ModelCompressException Error(string code, params object?[] args) =>
        EngineDiagnostics.FailAt(code, StepLocation.File, StepLocation.Line, StepLocation.Column, args);
}
