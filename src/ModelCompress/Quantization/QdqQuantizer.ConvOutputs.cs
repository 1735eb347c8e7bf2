using ModelCompress.Analysis;
using ModelCompress.Kernels;
using ModelCompress.Onnx;

namespace ModelCompress.Quantization;

/// <summary>Writing the quantized outputs of Conv layers (<see cref="ConvOutputUnit"/>).</summary>
public static partial class QdqQuantizer
{
    /// <summary>
    /// Rewrites each unit: the folded ops (and an absorbed Relu) leave the graph, the Conv computes the unit's output
    /// directly and a QuantizeLinear → DequantizeLinear pair restores it under its old name, so every reader is
    /// unchanged. The same quantized value then flows, with the same scale and zero point, through the same-scale ops
    /// of <paramref name="chains"/> (ONNX Runtime drops the pairs around them and runs them on int8). Returns what each
    /// quantized value may be read as by a layer (its QuantizeLinear output, scale and zero point names, and the scale).
    /// Edits are made at once: the caller's deferred writes come after.
    /// </summary>
    internal static Dictionary<string, QuantizedInput> WriteConvOutputs(
        QdqGraphWriter writer, IReadOnlyList<(ConvOutputUnit Unit, QuantizationParameters P)> units,
        IReadOnlyDictionary<string, IReadOnlyList<(OnnxNode Op, string Output)>> chains, QuantizedType type)
    {
        var graph = writer.Graph;
        var quantized = new Dictionary<string, QuantizedInput>(StringComparer.Ordinal);
        foreach (var (unit, p) in units)
        {
            var conv = unit.Layer.Node;
            var computed = graph.UniqueName(conv.Outputs[0] + "_conv");
            conv.Outputs[0] = computed;
            foreach (var node in unit.Folded)
            {
                graph.RemoveNode(node);
            }

            // QuantizeLinear saturates at the type's minimum, which is 0 exactly when the zero point is that minimum.
            var keepRelu = unit.Relu is not null && p.ZeroPoint != QuantizationParameters.QuantizedRange(type).Min;
            var quantizeFrom = computed;
            if (unit.Relu is { } relu)
            {
                if (keepRelu)
                {
                    relu.Inputs[0] = computed;
                    quantizeFrom = graph.UniqueName(unit.Output + "_relu");
                    relu.Outputs[0] = quantizeFrom;
                }
                else
                {
                    graph.RemoveNode(relu);
                }
            }

            var q = writer.Quantize(quantizeFrom, p, type);
            writer.DequantizeAs(unit.Output, q.Quantized, q.Scale, q.ZeroPoint);
            quantized[unit.Output] = new QuantizedInput(q.Quantized, q.Scale, q.ZeroPoint, p.Scale);
            if (chains.TryGetValue(unit.Output, out var chain))
            {
                foreach (var (op, output) in chain)
                {
                    var fresh = graph.UniqueName(output + "_int8");
                    op.Outputs[0] = fresh;
                    var chained = writer.Node("QuantizeLinear", fresh + "_QuantizeLinear", [fresh, q.Scale, q.ZeroPoint], null);
                    writer.DequantizeAs(output, chained, q.Scale, q.ZeroPoint);
                    quantized[output] = new QuantizedInput(chained, q.Scale, q.ZeroPoint, p.Scale);
                }
            }
        }

        return quantized;
    }

    /// <summary>The folded bias of a unit as int32 at the accumulator's scale, or as float when it would not fit.</summary>
    private static void WriteConvBias(QdqGraphWriter writer, ConvOutputUnit unit, float activationScale, float[] weightScales)
    {
        if (unit.Bias is not { } bias)
        {
            return;
        }

        var conv = unit.Layer.Node;
        var name = unit.Layer.BiasName ?? conv.Outputs[0] + "_bias";
        var value = writer.DequantizedBias(name, bias, activationScale, weightScales)
            ?? writer.Constant(OnnxTensor.FromFloats(name, [bias.Length], bias));
        if (conv.Inputs.Count > 2)
        {
            writer.SetInput(conv, 2, value);
        }
        else
        {
            writer.AddInput(conv, value);
        }
    }
}
