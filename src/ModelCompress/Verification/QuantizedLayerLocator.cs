using ModelCompress.Analysis;
using ModelCompress.Kernels;
using ModelCompress.Onnx;
using ModelCompress.Passes;

namespace ModelCompress.Verification;

/// <summary>
/// Finds the int8 linear layers of a compressed model by reading its graph, whichever pass wrote it: a MatMul, Gemm
/// or Conv whose weight is <c>DequantizeLinear(int8 constant, scale, zero point 0)</c> or the older-opset form
/// <c>Cast(int8 constant) · scale</c>. When the layer's input comes through <c>DequantizeLinear(QuantizeLinear(x))</c>
/// (ONNX's QDQ format for static quantization), the QuantizeLinear's per-tensor scale and zero point are the layer's
/// activation parameters; otherwise the layer is simulated with dynamic per-tensor activations.
/// </summary>
internal static class QuantizedLayerLocator
{
    /// <summary>The int8 layers in node order, and for each layer that cannot be simulated, why (name → reason).</summary>
    public static (IReadOnlyList<QuantizedLayerView> Layers, IReadOnlyDictionary<string, string> Skipped) Find(OnnxModel compressed)
    {
        ArgumentNullException.ThrowIfNull(compressed);
        var graph = compressed.Graph;
        var layers = new List<QuantizedLayerView>();
        var skipped = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var node in graph.Nodes)
        {
            if (!node.IsDefaultDomain || node.OpType is not ("MatMul" or "Gemm" or "Conv") || node.Inputs.Count < 2
                || !TryInt8Weight(graph, node.Inputs[1], out var q, out var shape, out var scales, out var axis))
            {
                continue;
            }

            var name = node.Name.Length > 0 ? node.Name : node.Outputs.FirstOrDefault() ?? "(unnamed)";
            var why = CheckLayout(node, shape, scales, axis);
            float[]? bias = null;
            if (why is null && node.OpType != "MatMul" && node.Inputs.Count > 2 && node.Inputs[2].Length > 0
                && !TryFloatBias(graph, node.Inputs[2], out bias))
            {
                why = "its bias is not a constant";
            }

            if (why is not null)
            {
                skipped[name] = why;
                continue;
            }

            layers.Add(QuantizedLayerView.Reading(name, node, q, shape, scales, bias, StaticActivation(graph, node.Inputs[0])));
        }

        // Layers inside If/Loop/Scan subgraphs are listed, not simulated: their inputs cannot be exposed as outputs of
        // the main graph, so the fp32 input each would be simulated on is not at hand.
        foreach (var node in graph.Nodes.SelectMany(n => n.Subgraphs).SelectMany(g => g.AllNodesRecursive()))
        {
            if (node.IsDefaultDomain && node.OpType is "MatMul" or "Gemm" or "Conv" && node.Inputs.Count >= 2 && node.Graph is { } inner
                && TryInt8Weight(ConstantValues.OwnerOf(inner, node.Inputs[1]), node.Inputs[1], out _, out _, out _, out _))
            {
                skipped[node.Name.Length > 0 ? node.Name : node.Outputs.FirstOrDefault() ?? "(unnamed)"] = "inside a subgraph (If/Loop/Scan): its input cannot be exposed";
            }
        }

        return (layers, skipped);
    }

    /// <summary>Why the int32 kernel cannot run the layer (scales along the contracted axis, batched weights), or null.</summary>
    private static string? CheckLayout(OnnxNode node, long[] shape, float[] scales, int axis)
    {
        if (scales.Length == 1)
        {
            return node.OpType == "MatMul" && shape.Length != 2 ? "its weight is not a matrix" : null;
        }

        // The kernel applies one scale per output column, so per-channel scales must run along the output axis.
        var outputAxis = node.OpType switch
        {
            "MatMul" => shape.Length == 2 ? 1 : -1,
            "Gemm" => node.GetInt("transB", 0) != 0 ? 0 : 1,
            _ => 0,
        };
        return axis == outputAxis ? null : "its weight scales do not run along the output channels";
    }

    /// <summary>The int8 weight behind <paramref name="value"/> (read by <paramref name="q"/>), with scales and their axis (−1: per tensor).</summary>
    private static bool TryInt8Weight(OnnxGraph graph, string value, out Func<sbyte[]> q, out long[] shape, out float[] scales, out int axis)
    {
        q = () => [];
        shape = [];
        scales = [];
        axis = -1;
        var producer = graph.GetProducer(value);
        OnnxTensor? quantized = null, scale = null, zeroPoint = null;
        if (producer is { OpType: "DequantizeLinear", IsDefaultDomain: true } dq && dq.Inputs.Count >= 2)
        {
            if (!graph.TryGetWeight(dq.Inputs[0], out quantized) || !graph.TryGetWeight(dq.Inputs[1], out scale))
            {
                return false;
            }

            if (dq.Inputs.Count > 2 && dq.Inputs[2].Length > 0 && !graph.TryGetWeight(dq.Inputs[2], out zeroPoint))
            {
                return false;
            }

            // ONNX DequantizeLinear: axis defaults to 1 and may be negative.
            var rank = quantized.Rank;
            var given = (int)dq.GetInt("axis", 1);
            axis = scale.ElementCount == 1 ? -1 : given < 0 ? given + rank : given;
        }
        else if (producer is { OpType: "Mul", IsDefaultDomain: true } mul && mul.Inputs.Count == 2)
        {
            for (var i = 0; i < 2 && quantized is null; i++)
            {
                if (graph.GetProducer(mul.Inputs[i]) is { OpType: "Cast", IsDefaultDomain: true } cast
                    && graph.TryGetWeight(cast.Inputs[0], out var castInput) && graph.TryGetWeight(mul.Inputs[1 - i], out var mulScale))
                {
                    quantized = castInput;
                    scale = mulScale;
                }
            }

            if (quantized is null || scale is null || !TryBroadcastAxis(scale.Dims, quantized.Dims, out axis))
            {
                return false;
            }
        }

        if (quantized is not { DataType: TensorDataType.Int8 } || scale is null || scale.DataType != TensorDataType.Float
            || (zeroPoint is not null && zeroPoint.ToFloatArray().Any(z => z != 0)))
        {
            return false;
        }

        shape = quantized.Dims;
        scales = scale.ToFloatArray();
        if (axis >= shape.Length || (axis >= 0 && shape[axis] != scales.Length) || scales.Any(s => !(s > 0) || !float.IsFinite(s)))
        {
            return false;
        }

        // Read when asked for, not now: the views of every layer are listed before any is simulated.
        var tensor = quantized;
        q = () => tensor.AsSpan<sbyte>().ToArray();
        return true;
    }

    /// <summary>The axis a Mul scale of shape <paramref name="scaleDims"/> runs along (−1 for a scalar).</summary>
    private static bool TryBroadcastAxis(long[] scaleDims, long[] weightDims, out int axis)
    {
        axis = -1;
        if (scaleDims.Aggregate(1L, (a, d) => a * d) == 1)
        {
            return true;
        }

        if (scaleDims.Length != weightDims.Length)
        {
            return false;
        }

        var axes = Enumerable.Range(0, scaleDims.Length).Where(i => scaleDims[i] != 1).ToList();
        if (axes.Count != 1 || scaleDims[axes[0]] != weightDims[axes[0]])
        {
            return false;
        }

        axis = axes[0];
        return true;
    }

    /// <summary>A float bias: a float constant, or DequantizeLinear of an int32 constant (QDQ bias, step S_x·S_w).</summary>
    private static bool TryFloatBias(OnnxGraph graph, string value, out float[]? bias)
    {
        bias = null;
        if (ConstantValues.TryGet(graph, value, out var constant) && constant.DataType == TensorDataType.Float)
        {
            bias = constant.ToFloatArray();
            return true;
        }

        if (graph.GetProducer(value) is not { OpType: "DequantizeLinear" } dq || dq.Inputs.Count < 2
            || !graph.TryGetWeight(dq.Inputs[0], out var q) || !graph.TryGetWeight(dq.Inputs[1], out var s))
        {
            return false;
        }

        var qs = q.ToFloatArray();
        var ss = s.ToFloatArray();
        var zs = dq.Inputs.Count > 2 && dq.Inputs[2].Length > 0 && graph.TryGetWeight(dq.Inputs[2], out var z) ? z.ToFloatArray() : [0f];
        if (ss.Length != 1 && ss.Length != qs.Length)
        {
            return false;
        }

        bias = new float[qs.Length];
        for (var i = 0; i < qs.Length; i++)
        {
            // DequantizeLinear: y = (x − zero_point) · scale, the int32 bias included.
            bias[i] = (qs[i] - zs[zs.Length == 1 ? 0 : i]) * ss[ss.Length == 1 ? 0 : i];
        }

        return true;
    }

    /// <summary>The per-tensor parameters of a <c>DequantizeLinear(QuantizeLinear(x))</c> feeding the layer, or null.</summary>
    private static (QuantizationParameters, QuantizedType)? StaticActivation(OnnxGraph graph, string input)
    {
        if (graph.GetProducer(input) is not { OpType: "DequantizeLinear", IsDefaultDomain: true } dq
            || graph.GetProducer(dq.Inputs[0]) is not { OpType: "QuantizeLinear", IsDefaultDomain: true } ql
            || ql.Inputs.Count < 2 || !graph.TryGetWeight(ql.Inputs[1], out var scale) || scale.ElementCount != 1)
        {
            return null;
        }

        var type = QuantizedType.UInt8;
        var zeroPoint = 0;
        if (ql.Inputs.Count > 2 && ql.Inputs[2].Length > 0)
        {
            if (!graph.TryGetWeight(ql.Inputs[2], out var zp) || zp.ElementCount != 1
                || zp.DataType is not (TensorDataType.UInt8 or TensorDataType.Int8))
            {
                return null;
            }

            type = zp.DataType == TensorDataType.Int8 ? QuantizedType.Int8 : QuantizedType.UInt8;
            zeroPoint = (int)zp.ToFloatArray()[0];
        }

        return (new QuantizationParameters(scale.ToFloatArray()[0], zeroPoint), type);
    }
}
