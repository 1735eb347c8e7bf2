using ModelCompress.Analysis;
using ModelCompress.Onnx;

namespace ModelCompress.Engine;

/// <summary>What <c>inspect</c> and <c>init</c> show of a model: the engine's own layer model, so they list exactly what the passes work on.</summary>
public static partial class ModelCompressEngine
{
    /// <summary>The linear layers every pass works on (<see cref="GraphAnalyzer"/>), in graph order.</summary>
    public static IReadOnlyList<LinearLayer> FindLayers(OnnxModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return GraphAnalyzer.Analyze(model).Layers;
    }
}
