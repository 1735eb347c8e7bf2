using ModelCompress.Analysis;
using ModelCompress.Calibration;
using ModelCompress.Kernels;
using ModelCompress.Onnx;
using ModelCompress.Recipe;

namespace ModelCompress.Quantization;

/// <summary>
/// Static int8 quantization in ONNX QDQ format. Each quantizable linear layer (MatMul/Gemm/Conv with a constant
/// weight — never a product of two activations) gets: its weight stored as int8, symmetric, per output channel (or
/// per tensor), behind a DequantizeLinear; its input passed through QuantizeLinear → DequantizeLinear with one
/// calibrated scale and zero point for the whole tensor (uint8 asymmetric or int8 symmetric); Gemm/Conv biases as
/// int32 at the accumulator's scale. ONNX Runtime's QDQ fusions turn DQ→MatMul into MatMulIntegerToFloat,
/// DQ→Gemm into QGemm, and DQ→Conv→Q into QLinearConv. Embedding tables (Gather of a constant matrix) are stored as
/// int8 per row behind a DequantizeLinear. The affine scheme is Jacob et al. 2018 (r = S(q − Z)).
/// </summary>
public static partial class QdqQuantizer
{
    /// <summary>The smallest default opset with per-axis QuantizeLinear/DequantizeLinear.</summary>
    public const long PerAxisOpset = 13;

    /// <summary>
    /// Quantizes <paramref name="model"/> in place with static activation ranges from <paramref name="calibration"/>.
    /// </summary>
    /// <param name="model">The float model; edited in place.</param>
    /// <param name="step">The quantize step (mode static).</param>
    /// <param name="calibration">Calibration samples for the activation ranges.</param>
    /// <param name="threads">ONNX Runtime threads for calibration (0 = its choice).</param>
    /// <param name="ct">Cancellation.</param>
    public static QuantizationResult QuantizeStatic(OnnxModel model, QuantizeStep step, ICalibrationSource calibration, int threads, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(calibration);
        var analysis = GraphAnalyzer.Analyze(model);
        var rows = new List<QuantizedLayer>();
        var layers = Select(analysis, step, rows);
        var activationType = step.Activations == QuantizeActivationType.UInt8 ? QuantizedType.UInt8 : QuantizedType.Int8;
        var requests = layers
            .GroupBy(l => l.InputName, StringComparer.Ordinal)
            .Select(g => new CalibrationRequest(g.Key, g.First().Kind == LinearLayerKind.Conv ? 1 : -1, step.Method != ActivationRangeMethod.MinMax))
            .ToList();
        var stats = ActivationCalibrator.Collect(model, requests, calibration, threads, ct);
        var raisedFrom = EnsureOpset(model);

        var writer = new QdqGraphWriter(model.Graph);
        var quantizedInputs = new Dictionary<string, (string Q, string Scale, string Zp, QuantizationParameters P, float Min, float Max)>(StringComparer.Ordinal);
        foreach (var layer in layers)
        {
            ct.ThrowIfCancellationRequested();
            if (!quantizedInputs.TryGetValue(layer.InputName, out var input))
            {
                var (min, max) = stats[layer.InputName].Range(step.Method, step.Percentile, activationType == QuantizedType.Int8);
                var p = QdqGraphWriter.ActivationParameters(min, max, activationType);
                var (q, s, z) = writer.Quantize(layer.InputName, p, activationType);
                input = (q, s, z, p, min, max);
                quantizedInputs[layer.InputName] = input;
            }

            layer.Node.Inputs[0] = writer.Dequantize(layer.InputName, input.Q, input.Scale, input.Zp);
            var scales = QuantizeWeightAndBias(writer, layer, step.PerChannel, input.P.Scale);
            rows.Add(new QuantizedLayer(layer.Name, layer.Kind.ToString(), "static", input.Min, input.Max, input.P.Scale, input.P.ZeroPoint,
                scales.Min(), scales.Max(), null));
        }

        QuantizeEmbeddingTables(writer, analysis, step, rows);
        Finish(model);
        return new QuantizationResult(Order(rows, analysis), raisedFrom);
    }

    /// <summary>The layers to quantize; excluded ones are reported as float.</summary>
    private static List<LinearLayer> Select(ModelAnalysis analysis, QuantizeStep step, List<QuantizedLayer> rows)
    {
        var selected = new List<LinearLayer>();
        foreach (var layer in analysis.Layers)
        {
            var pattern = step.Exclude.FirstOrDefault(e => e.Matches(layer.Node.Name, layer.Node.OpType));
            if (pattern is not null)
            {
                rows.Add(new QuantizedLayer(layer.Name, layer.Kind.ToString(), "float", null, null, null, null, 0, 0, $"excluded by '{pattern}'"));
                continue;
            }

            selected.Add(layer);
        }

        return selected;
    }

    /// <summary>Replaces the layer's weight (and Gemm/Conv bias) with dequantized int8 (int32) constants; returns the weight scales.</summary>
    private static float[] QuantizeWeightAndBias(QdqGraphWriter writer, LinearLayer layer, bool perChannel, float activationScale)
    {
        var (weight, scales) = writer.DequantizedWeight(layer.WeightName, layer.Weight.ToFloatArray(), layer.Weight.Dims, layer.OutputChannelAxis, perChannel);
        layer.Node.Inputs[1] = weight;
        if (layer.Kind != LinearLayerKind.MatMul && layer.Node.Inputs.Count > 2 && layer.Node.Inputs[2].Length > 0
            && layer.BiasName is { } biasName && ConstantsOf(writer.Graph, biasName) is { } raw
            && (layer.Kind == LinearLayerKind.Conv || layer.Beta == 1f))
        {
            // Gemm's bias is scaled by beta; QGemm accepts an int32 bias only for beta = 1.
            if (writer.DequantizedBias(biasName, raw, activationScale, scales) is { } bias)
            {
                layer.Node.Inputs[2] = bias;
            }
        }
        else if (layer.BiasAdd is { } add && add.Inputs[0] == layer.BiasName)
        {
            // ONNX Runtime fuses a following bias Add into MatMulIntegerToFloat only when the bias is input B.
            (add.Inputs[0], add.Inputs[1]) = (add.Inputs[1], add.Inputs[0]);
        }

        return scales;
    }

    private static float[]? ConstantsOf(OnnxGraph graph, string name) =>
        graph.TryGetWeight(name, out var t) && t.DataType == TensorDataType.Float ? t.ToFloatArray() : null;

    /// <summary>Embedding tables become int8 per row (weight only): Gather reads DequantizeLinear(table).</summary>
    internal static void QuantizeEmbeddingTables(QdqGraphWriter writer, ModelAnalysis analysis, QuantizeStep step, List<QuantizedLayer> rows)
    {
        foreach (var table in analysis.Embeddings)
        {
            var pattern = step.Exclude.FirstOrDefault(e => e.Matches(table.Node.Name, table.Node.OpType));
            if (pattern is not null)
            {
                rows.Add(new QuantizedLayer(table.Name, "Gather", "float", null, null, null, null, 0, 0, $"excluded by '{pattern}'"));
                continue;
            }

            var (value, scales) = writer.DequantizedWeight(table.TableName, table.Table.ToFloatArray(), table.Table.Dims, 0, perChannel: true);
            table.Node.Inputs[0] = value;
            rows.Add(new QuantizedLayer(table.Name, "Gather", "weight_only", null, null, null, null, scales.Min(), scales.Max(), "embedding table, int8 per row"));
        }
    }

    /// <summary>Restores graph order, drops the float constants nothing reads any more.</summary>
    internal static void Finish(OnnxModel model)
    {
        model.Graph.SortTopologically();
        model.Graph.RemoveDeadNodes();
    }

    internal static List<QuantizedLayer> Order(List<QuantizedLayer> rows, ModelAnalysis analysis)
    {
        var position = new Dictionary<string, int>(StringComparer.Ordinal);
        var i = 0;
        foreach (var name in analysis.Layers.Select(l => l.Name).Concat(analysis.Embeddings.Select(e => e.Name)))
        {
            position.TryAdd(name, i++);
        }

        return [.. rows.OrderBy(r => position.GetValueOrDefault(r.Name, int.MaxValue))];
    }
}
