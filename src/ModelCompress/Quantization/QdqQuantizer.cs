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
        var layers = Select(analysis.Layers, l => l.Node, step, rows);
        var tables = Select(analysis.Embeddings, e => e.Node, step, rows);
        var requests = layers.Select(l => l.InputName).Distinct(StringComparer.Ordinal)
            .Select(name => new CalibrationRequest(name, -1, step.Method != ActivationRangeMethod.MinMax))
            .ToList();
        var stats = ActivationCalibrator.Collect(model, requests, calibration, threads, ct);
        var plans = layers.Select(l => (l, PlanStatic(l, stats[l.InputName], step))).ToList();
        var tablePlans = tables.Select(t => (t, PlanTable(t, step))).ToList();
        var raisedFrom = plans.Count + tablePlans.Count > 0 ? EnsureOpset(model) : null;
        rows.AddRange(ApplyStatic(model, plans, tablePlans, step));
        return new QuantizationResult(Order(rows, analysis), raisedFrom);
    }

    /// <summary>The type static activations are quantized to.</summary>
    internal static QuantizedType ActivationType(QuantizeStep step) =>
        step.Activations == QuantizeActivationType.UInt8 ? QuantizedType.UInt8 : QuantizedType.Int8;

    /// <summary>One layer's static plan: its input's range from the statistics, its weights quantized.</summary>
    internal static QuantizedLinear PlanStatic(LinearLayer layer, TensorStatistics statistics, QuantizeStep step) =>
        PlanStatic(layer.Weight.ToFloatArray(), layer.Weight.Dims, layer.OutputChannelAxis,
            statistics.Range(step.Method, step.Percentile, step.Activations == QuantizeActivationType.Int8), step);

    /// <summary>A static plan from an input range.</summary>
    internal static QuantizedLinear PlanStatic(float[] weights, long[] dims, int axis, (float Min, float Max) range, QuantizeStep step)
    {
        var p = QdqGraphWriter.ActivationParameters(range.Min, range.Max, ActivationType(step));
        return QuantizedLinear.Weight(weights, dims, axis, step.PerChannel, p, range.Min, range.Max);
    }

    /// <summary>An embedding table's plan: int8 per row.</summary>
    internal static QuantizedLinear PlanTable(EmbeddingTable table, QuantizeStep step) =>
        QuantizedLinear.Weight(table.Table.ToFloatArray(), table.Table.Dims, 0, perChannel: true);

    /// <summary>The items to quantize; excluded ones are reported as float.</summary>
    internal static List<T> Select<T>(IEnumerable<T> items, Func<T, OnnxNode> node, QuantizeStep step, List<QuantizedLayer> rows)
    {
        var selected = new List<T>();
        foreach (var item in items)
        {
            var n = node(item);
            var pattern = step.Exclude.FirstOrDefault(e => e.Matches(n.Name, n.OpType));
            if (pattern is not null)
            {
                rows.Add(new QuantizedLayer(n.Name.Length > 0 ? n.Name : n.Outputs[0], n.OpType, "float", null, null, null, null, 0, 0, $"excluded by '{pattern}'"));
                continue;
            }

            selected.Add(item);
        }

        return selected;
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
