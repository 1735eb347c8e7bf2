using ModelCompress.Analysis;
using ModelCompress.Onnx;

namespace ModelCompress.Passes;

/// <summary>Reading quantized and clustered student weights into [K, N] layout for <see cref="DistillPass"/>.</summary>
public sealed partial class DistillPass
{
    private sealed record QuantizedView(int K, int N, int[] Q, float[] Scale, int[] Zero, int QMin, int QMax, TensorDataType Type, string Name);

    /// <summary>
    /// A DequantizeLinear of a constant 2-D int8/uint8 tensor with constant scales (per tensor or along one axis) and
    /// optional zero points, as the quantize step writes it: y = (q − z)·s. Null for anything else.
    /// </summary>
    private static QuantizedView? ReadQuantized(OnnxGraph graph, OnnxNode dq, bool transposed)
    {
        if (!graph.Initializers.TryGetValue(dq.Inputs[0], out var qt) || qt.Dims.Length != 2
            || qt.DataType is not (TensorDataType.Int8 or TensorDataType.UInt8)
            || dq.Inputs.Count < 2 || !graph.Initializers.TryGetValue(dq.Inputs[1], out var st) || st.DataType != TensorDataType.Float)
        {
            return null;
        }

        var (d0, d1) = ((int)qt.Dims[0], (int)qt.Dims[1]);
        var signed = qt.DataType == TensorDataType.Int8;
        var raw = qt.ToRawBytes();
        var scales = st.ToFloatArray();
        var axis = (int)dq.GetInt("axis", 1);
        axis = axis < 0 ? axis + 2 : axis;
        int[] zeros = [];
        if (dq.Inputs.Count > 2 && dq.Inputs[2].Length > 0)
        {
            if (!graph.Initializers.TryGetValue(dq.Inputs[2], out var zt) || zt.DataType != qt.DataType)
            {
                return null;
            }

            zeros = [.. zt.ToRawBytes().Select(b => signed ? (int)(sbyte)b : b)];
        }

        if (scales.Length != 1 && (axis is < 0 or > 1 || scales.Length != qt.Dims[axis]))
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
                var group = scales.Length == 1 ? 0 : (axis == 0 ? r : c);
                var kn = transposed ? (c * n) + r : at;
                q[kn] = signed ? (sbyte)raw[at] : raw[at];
                scale[kn] = scales[group];
                zero[kn] = zeros.Length == 0 ? 0 : zeros[zeros.Length == 1 ? 0 : group];
            }
        }

        return new QuantizedView(k, n, q, scale, zero, signed ? sbyte.MinValue : 0, signed ? sbyte.MaxValue : byte.MaxValue, qt.DataType, dq.Inputs[0]);
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
