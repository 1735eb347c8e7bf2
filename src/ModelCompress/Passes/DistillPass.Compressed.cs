using ModelCompress.Analysis;
using ModelCompress.Onnx;

namespace ModelCompress.Passes;

/// <summary>Reading quantized and clustered student weights into [K, N] layout for <see cref="DistillPass"/>.</summary>
public sealed partial class DistillPass
{
    private sealed record QuantizedView(int K, int N, int[] Q, float[] Scale, int[] Zero, int QMin, int QMax, TensorDataType Type, string Name);

    /// <summary>
    /// A DequantizeLinear of a constant 2-D int8/uint8/int4/uint4 tensor with constant scales (per tensor, along one
    /// axis, or in blocks along one axis as int4 weights are written) and optional zero points: y = (q − z)·s. Null for
    /// anything else.
    /// </summary>
    private static QuantizedView? ReadQuantized(OnnxGraph graph, OnnxNode dq, bool transposed)
    {
        if (!graph.Initializers.TryGetValue(dq.Inputs[0], out var qt) || qt.Dims.Length != 2
            || QuantRange(qt.DataType) is not { } range
            || dq.Inputs.Count < 2 || !graph.Initializers.TryGetValue(dq.Inputs[1], out var st) || st.DataType != TensorDataType.Float)
        {
            return null;
        }

        var (d0, d1) = ((int)qt.Dims[0], (int)qt.Dims[1]);
        var values = qt.ToInt64Array();
        var scales = st.ToFloatArray();
        var axis = (int)dq.GetInt("axis", 1);
        axis = axis < 0 ? axis + 2 : axis;
        var block = (int)dq.GetInt("block_size", 0);
        long[] zeros = [];
        if (dq.Inputs.Count > 2 && dq.Inputs[2].Length > 0)
        {
            if (!graph.Initializers.TryGetValue(dq.Inputs[2], out var zt) || zt.DataType != qt.DataType || zt.ElementCount != scales.Length)
            {
                return null;
            }

            zeros = zt.ToInt64Array();
        }

        if (axis is < 0 or > 1 || GroupOf(d0, d1, axis, block, st.Dims, scales.Length) is not { } group)
        {
            return null;
        }

        var (k, n) = transposed ? (d1, d0) : (d0, d1);
        var q = new int[k * n];
        var scale = new float[k * n];
        var zero = new int[k * n];
        for (var r = 0; r < d0; r++)
        {
            for (var c = 0; c < d1; c++)
            {
                var at = (r * d1) + c;
                var g = group(r, c);
                var kn = transposed ? (c * n) + r : at;
                q[kn] = (int)values[at];
                scale[kn] = scales[g];
                zero[kn] = zeros.Length == 0 ? 0 : (int)zeros[zeros.Length == 1 ? 0 : g];
            }
        }

        return new QuantizedView(k, n, q, scale, zero, range.Min, range.Max, qt.DataType, dq.Inputs[0]);
    }

    /// <summary>The integer range of a quantized weight type; null for types distillation does not re-fit.</summary>
    private static (int Min, int Max)? QuantRange(TensorDataType type) => type switch
    {
        TensorDataType.Int8 => (sbyte.MinValue, sbyte.MaxValue),
        TensorDataType.UInt8 => (0, byte.MaxValue),
        TensorDataType.Int4 => (-8, 7),
        TensorDataType.UInt4 => (0, 15),
        _ => null,
    };

    /// <summary>
    /// Which scale element (r, c) of a [d0, d1] weight uses: the one scale; one per index of <paramref name="axis"/>; or,
    /// with a block size, scale[⌊r / block⌋, c] along axis 0 and scale[r, ⌊c / block⌋] along axis 1 (ONNX's blocked
    /// DequantizeLinear). Null when the scale's shape fits none of these.
    /// </summary>
    private static Func<int, int, int>? GroupOf(int d0, int d1, int axis, int block, long[] scaleDims, int count)
    {
        if (count == 1)
        {
            return (_, _) => 0;
        }

        if (block <= 0)
        {
            return count != (axis == 0 ? d0 : d1) ? null : axis == 0 ? (r, _) => r : (_, c) => c;
        }

        var blocks = ((axis == 0 ? d0 : d1) + block - 1) / block;
        if (scaleDims.Length != 2 || scaleDims[axis] != blocks || scaleDims[1 - axis] != (axis == 0 ? d1 : d0))
        {
            return null;
        }

        return axis == 0 ? (r, c) => ((r / block) * d1) + c : (r, c) => (r * blocks) + (c / block);
    }

    private DistillTarget Quantized(OnnxGraph graph, OnnxGraph teacher, OnnxNode node, OnnxNode dq, QuantizedView q, LinearLayer t, bool transposed)
    {
        var w = new float[q.Q.Length];
        for (var i = 0; i < w.Length; i++)
        {
            w[i] = (q.Q[i] - q.Zero[i]) * q.Scale[i];
        }

        return WithBias(graph, teacher, node, q.N, t, new DistillTarget
        {
            Kind = DistillKind.Quantized, Node = node, Input = node.Inputs[0], TeacherInput = t.InputName, K = q.K, N = q.N, Transposed = transposed,
            Weight = w, Q = q.Q, Scale = q.Scale, Zero = q.Zero, QMin = q.QMin, QMax = q.QMax, QType = q.Type, ParameterName = q.Name,
            ParameterReader = dq, TeacherWeight = t.WeightKN(),
        });
    }

    /// <summary>K and N of a clustered weight: from the layer's value shape, else from the Reshape the decoder ends with.</summary>
    private static (int K, int N)? ClusterDims(OnnxGraph graph, OnnxNode node, ClusteredWeight w, bool transposed)
    {
        long[]? dims = null;
        if (graph.GetProducer(node.Inputs[1]) is { OpType: "Reshape" } reshape && graph.Initializers.TryGetValue(reshape.Inputs[1], out var s))
        {
            dims = s.ToInt64Array();
        }
        else if (graph.GetProducer(node.Inputs[1]) is { OpType: "Gather" } gather && graph.GetProducer(gather.Inputs[1]) is { } cast
            && graph.Initializers.TryGetValue(cast.Inputs[0], out var stored))
        {
            dims = stored.Dims;
        }

        if (dims is not { Length: 2 } || dims[0] * dims[1] != w.Indices.Length)
        {
            return null;
        }

        return transposed ? ((int)dims[1], (int)dims[0]) : ((int)dims[0], (int)dims[1]);
    }

    private DistillTarget Clustered(
        OnnxGraph graph, OnnxGraph teacher, OnnxNode node, string codebookName, ClusteredWeight w, int k, int n, bool transposed, LinearLayer t)
    {
        var indices = transposed ? new byte[w.Indices.Length] : w.Indices;
        if (transposed)
        {
            for (var r = 0; r < n; r++)
            {
                for (var c = 0; c < k; c++)
                {
                    indices[(c * n) + r] = w.Indices[(r * k) + c];
                }
            }
        }

        var kn = new ClusteredWeight(w.Codebook, indices);
        return WithBias(graph, teacher, node, n, t, new DistillTarget
        {
            Kind = DistillKind.Clustered, Node = node, Input = node.Inputs[0], TeacherInput = t.InputName, K = k, N = n, Transposed = transposed,
            Weight = kn.Expand(), Clusters = kn, ParameterName = codebookName, TeacherWeight = t.WeightKN(),
        });
    }
}
