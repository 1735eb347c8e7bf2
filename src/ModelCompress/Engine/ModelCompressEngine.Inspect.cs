using ModelCompress.Analysis;
using ModelCompress.Onnx;

namespace ModelCompress.Engine;

/// <summary>What <c>inspect</c> and <c>init</c> show of a model: the engine's own layer model, so they list exactly what the passes work on.</summary>
public static partial class ModelCompressEngine
{
    /// <summary>
    /// The linear layers the passes work on (<see cref="GraphAnalyzer"/>), in graph order: the main graph's, then
    /// those inside If/Loop/Scan subgraphs (<see cref="LinearLayer.InSubgraph"/>).
    /// </summary>
    public static IReadOnlyList<LinearLayer> FindLayers(OnnxModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return [.. GraphAnalyzer.Analyze(model).AllLayers];
    }

    /// <summary>The constant W and R weights of LSTM/GRU/RNN ops (weight-only int8 compresses them), main graph and subgraphs.</summary>
    public static IReadOnlyList<RecurrentWeight> FindRecurrentWeights(OnnxModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return GraphAnalyzer.Analyze(model).RecurrentWeights;
    }
}
