using ModelCompress.Analysis;
using ModelCompress.Onnx;

namespace ModelCompress.Passes;

/// <summary>
/// Hands a pass's graph analysis from <see cref="ICompressionPass.FindLayers"/> to <see cref="ICompressionPass.Apply"/>,
/// which the engine calls on the same, unchanged model, so the graph is analyzed once per step. Apply takes it once;
/// an Apply on another model (or without FindLayers before it) analyzes that model itself.
/// </summary>
internal sealed class AnalysisHandOver
{
    private OnnxModel? _model;
    private ModelAnalysis? _analysis;

    /// <summary>Analyzes <paramref name="model"/> and keeps the result for <see cref="Take"/>.</summary>
    public ModelAnalysis Find(OnnxModel model)
    {
        _model = model;
        _analysis = GraphAnalyzer.Analyze(model);
        return _analysis;
    }

    /// <summary>The analysis <see cref="Find"/> made of <paramref name="model"/>, once; otherwise a fresh one.</summary>
    public ModelAnalysis Take(OnnxModel model)
    {
        var analysis = ReferenceEquals(_model, model) && _analysis is not null ? _analysis : GraphAnalyzer.Analyze(model);
        _model = null;
        _analysis = null;
        return analysis;
    }
}
