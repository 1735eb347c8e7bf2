using ModelCompress.Analysis;
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

    /// <summary>The type static activations are quantized to.</summary>
    internal static QuantizedType ActivationType(QuantizeStep step) =>
        step.Activations == QuantizeActivationType.UInt8 ? QuantizedType.UInt8 : QuantizedType.Int8;

    /// <summary>A static plan from an input range.</summary>
    internal static QuantizedLinear PlanStatic(float[] weights, long[] dims, int axis, (float Min, float Max) range, QuantizeStep step)
    {
        var p = QdqGraphWriter.ActivationParameters(range.Min, range.Max, ActivationType(step));
        return QuantizedLinear.Weight(weights, dims, axis, step.PerChannel, p, range.Min, range.Max);
    }

    /// <summary>An embedding table's plan: int8 per row.</summary>
    internal static QuantizedLinear PlanTable(EmbeddingTable table, QuantizeStep step) =>
        PlanTable(table, table.Table.ToFloatArray());

    /// <summary>The table's plan from its <paramref name="values"/> already read (a caller measuring their error reads them once).</summary>
    internal static QuantizedLinear PlanTable(EmbeddingTable table, float[] values) =>
        QuantizedLinear.Weight(values, table.Table.Dims, 0, perChannel: true);

    /// <summary>The items the step quantizes: all but those an <c>exclude</c> pattern matches.</summary>
    internal static List<T> Select<T>(IEnumerable<T> items, Func<T, OnnxNode> node, QuantizeStep step) =>
        [.. items.Where(item => !step.Exclude.Any(e => e.Matches(node(item).Name, node(item).OpType)))];

    /// <summary>Restores graph order, drops the float constants nothing reads any more.</summary>
    internal static void Finish(OnnxModel model)
    {
        model.Graph.SortTopologically();
        model.Graph.RemoveDeadNodes();
    }
}
