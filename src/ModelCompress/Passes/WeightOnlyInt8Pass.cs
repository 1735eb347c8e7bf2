using ModelCompress.Analysis;
using ModelCompress.Calibration;
using ModelCompress.Onnx;
using ModelCompress.Recipe;

namespace ModelCompress.Passes;

/// <summary>
/// Weight-only int8 quantization: each linear layer's float32 weight (main graph and If/Loop/Scan subgraphs alike),
/// and each LSTM/GRU/RNN W and R (per row of gates·hidden), becomes an int8 initializer with symmetric
/// per-output-channel (or per-tensor) scales (<see cref="Int8Quantizer"/>), dequantized in the graph right before the
/// layer by the writer of the static and dynamic passes (<see cref="Quantization.QdqGraphWriter"/>), so activations
/// stay float and the file holds about a quarter of the weight bytes. The dequantization is a per-axis
/// DequantizeLinear (opset 13); an older model is raised to opset 13 when every node keeps its meaning
/// (<see cref="Analysis.OpsetUpgrade"/>), otherwise the same product is written as Cast(int8→float) · scale, which
/// every opset ≥ 7 runs.
/// </summary>
public sealed partial class WeightOnlyInt8Pass : IWeightStreamingPass
{
    private readonly QuantizeStep _step;

    /// <summary>Creates the pass for a <c>quantize</c> step (its mode, exclusions and per_channel are honoured).</summary>
    public WeightOnlyInt8Pass(QuantizeStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        _step = step;
    }

    /// <inheritdoc />
    public string Name => "weight_only_int8";

    /// <inheritdoc />
    /// <remarks>
    /// "|wq=2": the weights are rounded by <see cref="Quantization.WeightQuantizer"/> (w / S in float, as QuantizeLinear
    /// does) since the two weight quantizers were folded into one; entries made by the older double-precision rounding
    /// may differ in rare ties and must not be read back as this code's result. "|rec=2": a layer's result is stored as
    /// <see cref="Quantization.QuantizedLinear"/>'s record (the one quantized-weight type), not the older record of its own.
    /// </remarks>
    public string SettingsFingerprint => _step.SettingsFingerprint() + "|wq=2|rec=2";

    /// <inheritdoc />
    public bool RequiresCalibration => false;

    /// <inheritdoc />
    public IReadOnlyList<PassLayer> FindLayers(OnnxModel model, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        var analysis = GraphAnalyzer.Analyze(model);
        var layers = analysis.AllLayers.Where(l => !Excluded(l.Node)).Select(PassLayer.Of);
        var recurrent = analysis.RecurrentWeights.Where(r => !Excluded(r.Node)).Select(r => new PassLayer(
            r.Node, r.InputIndex, r.WeightName, r.Weight.Dims, RecurrentWeight.ChannelAxis, r.InputName, r.Weight));
        return [.. layers, .. recurrent];
    }

    private bool Excluded(OnnxNode node) => _step.Exclude.Any(e => e.Matches(node.Name, node.OpType));

    /// <inheritdoc />
    public byte[] ComputeLayer(PassLayer layer, LayerInputStatistics? statistics, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ct.ThrowIfCancellationRequested();
        var q = _step.PerChannel
            ? Int8Quantizer.QuantizePerChannel(layer.Weights, layer.WeightShape, layer.ChannelAxis)
            : Int8Quantizer.QuantizePerTensor(layer.Weights, layer.WeightShape);
        return q.ToBytes();
    }
}
