using System.Runtime.InteropServices;
using ModelCompress.Analysis;
using ModelCompress.Onnx;

namespace ModelCompress.Quantization;

/// <summary>Graph edits: 1/s into the producer (or an inserted Mul), s into the group's weight rows.</summary>
public static partial class SmoothQuantizer
{
    /// <summary>
    /// Divides the group's activation by <paramref name="s"/> and multiplies the matching weight rows by it. Every
    /// changed constant is written as a new initializer (the old one may be shared, or be a Constant node); values are
    /// read from the graph as it is now, so a previous layer already changed by another group is seen as changed.
    /// </summary>
    internal static void Rescale(OnnxGraph graph, LayerGroup group, float[] s, bool fold)
    {
        var inverse = s.Select(v => 1f / v).ToArray();
        var anchor = group.Anchor;
        if (fold && anchor.CanFold)
        {
            switch (anchor.Kind)
            {
                case AnchorKind.Linear:
                    ScaleOutputColumns(graph, anchor.PreviousLayer!, inverse);
                    break;
                default:
                    ScaleInput(graph, anchor.Node!, anchor.ScaleName!, inverse);
                    if (anchor.BiasName is { } beta)
                    {
                        ScaleInput(graph, anchor.BiasNode ?? anchor.Node!, beta, inverse);
                    }

                    break;
            }
        }
        else
        {
            var name = graph.UniqueName(group.Activation + "_smooth");
            var factor = graph.UniqueName(group.Activation + "_smooth_scale");
            graph.AddInitializer(OnnxTensor.FromFloats(factor, [inverse.Length], inverse));
            graph.AddNode(new OnnxNode("Mul", [group.Activation, factor], [name], graph.UniqueName(group.Activation + "_SmoothQuant_Mul")));
            foreach (var layer in group.Layers)
            {
                layer.Node.Inputs[0] = name;
            }
        }

        foreach (var layer in group.Layers)
        {
            ScaleInputRows(graph, layer, s);
        }
    }

    /// <summary>Replaces constant input <paramref name="value"/> of <paramref name="node"/> by itself times <paramref name="factor"/> along its last axis (a scalar becomes a vector).</summary>
    private static void ScaleInput(OnnxGraph graph, OnnxNode node, string value, float[] factor)
    {
        var index = node.Inputs.IndexOf(value);
        if (index < 0)
        {
            throw new InvalidOperationException($"'{node.Name}' no longer reads '{value}'.");
        }

        var current = Current(graph, node, index);
        var values = current.ToFloatArray();
        var dims = current.Dims;
        if (values.Length == 1)
        {
            values = [.. factor.Select(f => values[0] * f)];
            dims = [factor.Length];
        }
        else
        {
            for (var i = 0; i < values.Length; i++)
            {
                values[i] *= factor[i % factor.Length];
            }
        }

        node.Inputs[index] = NewConstant(graph, value, dims, values);
    }

    /// <summary>W[j, :] ·= s_j for the layer's weight (rows of [K, N]; columns of a transposed Gemm weight).</summary>
    private static void ScaleInputRows(OnnxGraph graph, LinearLayer layer, float[] s)
    {
        int k = layer.InFeatures, n = layer.OutFeatures;
        layer.Node.Inputs[1] = NewScaledConstant(graph, layer.WeightName, Current(graph, layer.Node, 1), w =>
        {
            for (var r = 0; r < (layer.TransposedWeight ? n : k); r++)
            {
                // [K, N]: row j scales by s_j; [N, K] (transB): every row scales element-wise by s.
                var row = w.Slice(r * (layer.TransposedWeight ? k : n), layer.TransposedWeight ? k : n);
                if (layer.TransposedWeight)
                {
                    RowKernels.Multiply(row, s);
                }
                else
                {
                    RowKernels.Multiply(row, s[r]);
                }
            }
        });
    }

    /// <summary>A previous layer's output channel j (weight column, bias entry) ·= f_j.</summary>
    private static void ScaleOutputColumns(OnnxGraph graph, LinearLayer layer, float[] f)
    {
        int k = layer.InFeatures, n = layer.OutFeatures;
        layer.Node.Inputs[1] = NewScaledConstant(graph, layer.WeightName, Current(graph, layer.Node, 1), w =>
        {
            for (var r = 0; r < (layer.TransposedWeight ? n : k); r++)
            {
                // [K, N]: every row scales element-wise by f; [N, K] (transB): row c scales by f_c.
                var row = w.Slice(r * (layer.TransposedWeight ? k : n), layer.TransposedWeight ? k : n);
                if (layer.TransposedWeight)
                {
                    RowKernels.Multiply(row, f[r]);
                }
                else
                {
                    RowKernels.Multiply(row, f);
                }
            }
        });
        if (layer.BiasName is { } bias)
        {
            ScaleInput(graph, layer.BiasAdd ?? layer.Node, bias, f);
        }
    }

    /// <summary>
    /// A new initializer holding <paramref name="current"/>'s float values changed in place by <paramref name="scale"/>:
    /// one copy of the raw bytes, which the new tensor then owns (no float array in between). When
    /// <paramref name="current"/>'s bytes are not in memory (external data, or an earlier lazy rescale), the new tensor
    /// is lazy too: it scales a fresh copy of the source's bytes each time it is read, so a model larger than memory
    /// is smoothed without holding its weights (the same bytes, since the source and the scales never change).
    /// </summary>
    private static string NewScaledConstant(OnnxGraph graph, string baseName, OnnxTensor current, Action<Span<float>> scale)
    {
        if (current.DataType != TensorDataType.Float)
        {
            var values = current.ToFloatArray();
            scale(values);
            return NewConstant(graph, baseName, current.Dims, values);
        }

        var name = graph.UniqueName(baseName + "_smoothed");
        graph.AddInitializer(current.IsDataInMemory
            ? OnnxTensor.FromOwnedRawBytes(name, TensorDataType.Float, current.Dims, ScaledCopy(current, scale))
            : OnnxTensor.FromGenerator(name, TensorDataType.Float, current.Dims, stream => stream.Write(ScaledCopy(current, scale))));
        return name;
    }

    /// <summary>A copy of <paramref name="current"/>'s raw float bytes with <paramref name="scale"/> applied.</summary>
    private static byte[] ScaledCopy(OnnxTensor current, Action<Span<float>> scale)
    {
        var raw = current.GetRawData().Span;
        var bytes = GC.AllocateUninitializedArray<byte>(raw.Length); // every byte is overwritten by the copy
        raw.CopyTo(bytes);
        scale(MemoryMarshal.Cast<byte, float>(bytes.AsSpan()));
        return bytes;
    }

    private static OnnxTensor Current(OnnxGraph graph, OnnxNode node, int index) =>
        ConstantValues.TryGet(graph, node.Inputs[index], out var t)
            ? t
            : throw new InvalidOperationException($"Input {index} of '{node.Name}' is no longer constant.");

    private static string NewConstant(OnnxGraph graph, string baseName, long[] dims, float[] values)
    {
        var name = graph.UniqueName(baseName + "_smoothed");
        graph.AddInitializer(OnnxTensor.FromFloats(name, dims, values));
        return name;
    }
}
