using ModelCompress.Analysis;
using ModelCompress.Kernels;
using ModelCompress.Onnx;
using ModelCompress.Recipe;

namespace ModelCompress.Quantization;

/// <summary>Writing static QDQ plans into the graph.</summary>
public static partial class QdqQuantizer
{
    /// <summary>
    /// Writes each layer's plan: one QuantizeLinear per distinct input, a DequantizeLinear per consuming layer (ONNX
    /// Runtime fuses a node unit whose DQ feeds only it), the int8 weight behind its DequantizeLinear, and the bias;
    /// then the embedding tables.
    /// </summary>
    internal static void ApplyStatic(
        OnnxModel model, IEnumerable<(LinearLayer Layer, QuantizedLinear Plan)> layers, IReadOnlyList<(EmbeddingTable Table, QuantizedLinear Plan)> tables, QuantizeStep step,
        IReadOnlyList<(ConvOutputUnit Unit, QuantizationParameters P)>? convOutputs = null,
        IReadOnlyDictionary<string, IReadOnlyList<(OnnxNode Op, string Output)>>? chains = null,
        Func<string, long[], sbyte[], OnnxTensor>? int8Tensor = null)
    {
        var writer = new QdqGraphWriter(model.Graph);
        var type = ActivationType(step);

        // Conv outputs are written first, at once: the layers that read them then find them quantized already.
        var quantizedInputs = convOutputs is { Count: > 0 }
            ? WriteConvOutputs(writer, convOutputs, chains ?? new Dictionary<string, IReadOnlyList<(OnnxNode, string)>>(), type)
            : new Dictionary<string, QuantizedInput>(StringComparer.Ordinal);
        var units = (convOutputs ?? []).ToDictionary(u => u.Unit.Layer.Node, u => u.Unit);

        // Nothing below reads what it wrote (each layer reads its own node's original inputs before rewiring it), so
        // the edits are held back and made at once.
        writer.Defer();
        foreach (var (layer, plan) in layers)
        {
            var p = plan.Activation ?? throw new InvalidOperationException($"Layer '{layer.Name}' has no activation parameters.");
            if (!quantizedInputs.TryGetValue(layer.InputName, out var input))
            {
                var (q, scale, zp) = writer.Quantize(layer.InputName, p, type);
                input = new QuantizedInput(q, scale, zp, p.Scale);
                quantizedInputs[layer.InputName] = input;
            }

            writer.SetInput(layer.Node, 0, writer.Dequantize(layer.InputName, input.Quantized, input.Scale, input.ZeroPoint));
            writer.SetInput(layer.Node, 1, writer.DequantizedWeight(layer.WeightName, plan, int8Tensor));
            if (units.TryGetValue(layer.Node, out var unit))
            {
                WriteConvBias(writer, unit, input.ScaleValue, plan.Scales);
            }
            else
            {
                WriteBias(writer, layer, input.ScaleValue, plan.Scales);
            }
        }

        ApplyTables(writer, tables);
        writer.Flush();
        Finish(model);
    }

    /// <summary>Embedding tables become int8 per row (weight only): Gather reads DequantizeLinear(table).</summary>
    internal static void ApplyTables(QdqGraphWriter writer, IReadOnlyList<(EmbeddingTable Table, QuantizedLinear Plan)> tables)
    {
        foreach (var (table, plan) in tables)
        {
            writer.SetInput(table.Node, 0, writer.DequantizedWeight(table.TableName, plan));
        }
    }

    /// <summary>Gemm/Conv: the bias as int32 (what QGemm/QLinearConv take); MatMul: the separate bias Add, reshaped.</summary>
    private static void WriteBias(QdqGraphWriter writer, LinearLayer layer, float activationScale, float[] weightScales)
    {
        var graph = writer.Graph;
        if (layer.Kind != LinearLayerKind.MatMul)
        {
            // Gemm's bias is scaled by beta; QGemm accepts an int32 bias only for beta = 1.
            if (layer.Node.Inputs.Count > 2 && layer.Node.Inputs[2].Length > 0 && layer.BiasName is { } name
                && (layer.Kind == LinearLayerKind.Conv || layer.Beta == 1f)
                && ConstantValues.TryGet(graph, name, out var c) && c.DataType == TensorDataType.Float
                && writer.DequantizedBias(name, c.ToFloatArray(), activationScale, weightScales) is { } bias)
            {
                writer.SetInput(layer.Node, 2, bias);
            }

            return;
        }

        if (layer.BiasAdd is { } add && layer.BiasName is { } biasName && ConstantValues.TryGet(graph, biasName, out var t)
            && t.DataType == TensorDataType.Float && add.Inputs.IndexOf(biasName) is var index and >= 0)
        {
            // The bias stays a float Add after MatMulIntegerToFloat. Written as [1, N] rather than [N], it keeps
            // ONNX Runtime from fusing Add + Gelu into BiasGelu, whose CPU kernel measured several times slower than
            // the vectorized Gelu it would replace (quant-eval --profile on char-gpt).
            writer.SetInput(add, index, writer.Constant(OnnxTensor.FromFloats(biasName, [1, t.ElementCount], t.ToFloatArray())));
        }
    }
}
