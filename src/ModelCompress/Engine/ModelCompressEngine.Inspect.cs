using ModelCompress.Analysis;
using ModelCompress.Onnx;
using ModelCompress.Quantization;
using ModelCompress.Recipe;

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

    /// <summary>
    /// What each int8 quantize mode would change, with no exclusions: weight-only and static take every layer (static
    /// not batched MatMuls), dynamic only those ONNX Runtime runs as DynamicQuantizeLinear + MatMulInteger (MatMul and
    /// Gemm with a 2-D weight; never Conv). Embedding tables are not counted.
    /// </summary>
    public static IReadOnlyList<ModeChange> ModeChanges(OnnxModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var layers = GraphAnalyzer.Analyze(model).Layers;
        static long Bytes(IEnumerable<LinearLayer> l) => l.Sum(x => x.Weight.ElementCount * sizeof(float));
        var single = layers.Where(l => !l.IsBatched).ToList();
        var dynamic = single.Where(l => DynamicQuantizer.Supports(model.Graph, l)).ToList();
        return
        [
            new(QuantizeMode.WeightOnly, layers.Count, Bytes(layers), false),
            new(QuantizeMode.Dynamic, dynamic.Count, Bytes(dynamic), false),
            new(QuantizeMode.Static, single.Count, Bytes(single), true),
        ];
    }
}
