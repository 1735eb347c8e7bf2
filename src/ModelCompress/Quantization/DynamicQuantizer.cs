using ModelCompress.Analysis;
using ModelCompress.Onnx;

namespace ModelCompress.Quantization;

/// <summary>
/// Dynamic int8 quantization: weights are stored as int8 ahead of time (symmetric, per output column or per tensor);
/// each input is quantized at run time from its own range. Every MatMul/Gemm layer becomes
/// <c>DynamicQuantizeLinear(x) → MatMulInteger(x_q, W_q, z_x, z_W) → Cast → Mul(S_x·S_W) → Add(bias)</c>: the int32
/// product of Jacob et al. 2018 (Eq. 4), rescaled by the product of the two steps. This is the pattern ONNX Runtime
/// fuses into one DynamicQuantizeMatMul (or MatMulIntegerToFloat) with the bias, so the bias is always input B of its
/// Add. Conv layers stay float in this mode; embedding tables are stored int8 per row, as in static mode.
/// </summary>
public static class DynamicQuantizer
{
    /// <summary>Whether dynamic mode quantizes <paramref name="layer"/>: MatMul/Gemm, except Gemm with beta ≠ 1 and a computed bias.</summary>
    internal static bool Supports(OnnxGraph graph, LinearLayer layer)
    {
        var unscaledBias = layer.Kind == LinearLayerKind.Gemm && layer.Beta != 1f && layer.Node.Inputs.Count > 2
            && layer.Node.Inputs[2].Length > 0 && !ConstantValues.TryGet(graph, layer.Node.Inputs[2], out _);
        return layer.Kind != LinearLayerKind.Conv && !unscaledBias;
    }

    /// <summary>Rewrites each planned layer (weights [K, N], axis 1) and the embedding tables.</summary>
    /// <remarks>
    /// <paramref name="plans"/> is enumerated once, each layer rewritten before the next is asked for, so a caller may
    /// decode one plan at a time; each plan comes with what makes its int8 weight tensor (in memory, or read from where the
    /// caller keeps the plan's values).
    /// </remarks>
    internal static void ApplyPlans(
        OnnxModel model, IEnumerable<(LinearLayer Layer, QuantizedLinear Plan, Func<string, long[], sbyte[], OnnxTensor> Int8Tensor)> plans,
        IReadOnlyList<(EmbeddingTable Table, QuantizedLinear Plan)> tables)
    {
        var writer = new QdqGraphWriter(model.Graph);
        var writers = new Dictionary<OnnxGraph, QdqGraphWriter>(ReferenceEqualityComparer.Instance) { [model.Graph] = writer };
        foreach (var (layer, plan, int8Tensor) in plans)
        {
            // A layer inside an If/Loop/Scan subgraph is rewritten where it is: its input exists only in that graph.
            var graph = layer.Node.Graph ?? model.Graph;
            if (!writers.TryGetValue(graph, out var own))
            {
                writers[graph] = own = new QdqGraphWriter(graph);
            }

            Replace(own, layer, plan, int8Tensor);
        }

        QdqQuantizer.ApplyTables(writer, tables);
        foreach (var graph in writers.Keys.Where(g => !ReferenceEquals(g, model.Graph)))
        {
            graph.SortTopologically();
        }

        QdqQuantizer.Finish(model);
    }

    private static void Replace(QdqGraphWriter writer, LinearLayer layer, QuantizedLinear plan, Func<string, long[], sbyte[], OnnxTensor> int8Tensor)
    {
        var graph = writer.Graph;
        var k = layer.InFeatures;
        var n = layer.OutFeatures;
        var (q, scales) = (plan.Values, plan.Scales);
        var perChannel = plan.Axis >= 0;
        var baseName = layer.WeightName;
        var weight = writer.Constant(int8Tensor(baseName + "_quantized", [k, n], q));
        var zeroPoint = writer.Constant(perChannel
            ? OnnxTensor.FromInt8(baseName + "_zero_point", [n], new sbyte[n])
            : OnnxTensor.FromInt8(baseName + "_zero_point", [], [0]));
        var combined = layer.Alpha == 1f ? scales : [.. scales.Select(s => s * layer.Alpha)];
        var scale = writer.Constant(perChannel
            ? OnnxTensor.FromFloats(baseName + "_scale", [n], combined)
            : OnnxTensor.FromFloats(baseName + "_scale", [], combined));

        var name = layer.Name;
        var node = layer.Node;
        var input = layer.InputName;
        var output = node.Outputs[0];
        var gemmBias = layer.Kind == LinearLayerKind.Gemm && node.Inputs.Count > 2 && node.Inputs[2].Length > 0 ? node.Inputs[2] : null;
        graph.RemoveNode(node);

        var xq = graph.UniqueName(input + "_quantized");
        var xs = graph.UniqueName(input + "_scale");
        var xz = graph.UniqueName(input + "_zero_point");
        graph.AddNode(new OnnxNode("DynamicQuantizeLinear", [input], [xq, xs, xz], graph.UniqueName(name + "_DynamicQuantizeLinear")));
        var product = writer.Node("MatMulInteger", name + "_MatMulInteger", [xq, weight, xz, zeroPoint], null);
        var productF = graph.UniqueName(name + "_Cast_output");
        graph.AddNode(new OnnxNode("Cast", [product], [productF], graph.UniqueName(name + "_Cast"))).SetAttribute("to", (long)TensorDataType.Float);
        var step = writer.Node("Mul", name + "_scale_Mul", [xs, scale], null);

        if (gemmBias is null)
        {
            graph.AddNode(new OnnxNode("Mul", [productF, step], [output], graph.UniqueName(name + "_output_Mul")));
            if (layer.BiasAdd is { } add && add.Inputs[0] == layer.BiasName)
            {
                (add.Inputs[0], add.Inputs[1]) = (add.Inputs[1], add.Inputs[0]);
            }
        }
        else
        {
            var scaled = writer.Node("Mul", name + "_output_Mul", [productF, step], null);
            var bias = gemmBias;
            if (layer.Beta != 1f && ConstantValues.TryGet(graph, gemmBias, out var c))
            {
                bias = writer.Constant(OnnxTensor.FromFloats(gemmBias + "_scaled", c.Dims, [.. c.ToFloatArray().Select(v => v * layer.Beta)]));
            }

            graph.AddNode(new OnnxNode("Add", [scaled, bias], [output], graph.UniqueName(name + "_bias_Add")));
        }
    }
}
