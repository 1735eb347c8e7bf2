using ModelCompress.Analysis;
using ModelCompress.Onnx;

namespace ModelCompress.Quantization;

/// <summary>
/// Finds the <see cref="ConvOutputUnit"/> of each Conv in a graph that has not been edited yet, and the layout ops
/// (MaxPool, Reshape, ...) through which a quantized output passes unchanged in scale to a quantized layer.
/// </summary>
public static class ConvOutputs
{
    /// <summary>Ops that ONNX Runtime runs on int8 values when their input and output share one scale and zero point.</summary>
    private static readonly HashSet<string> SameScaleOps = new(StringComparer.Ordinal)
    {
        "MaxPool", "Reshape", "Transpose", "Flatten", "Squeeze", "Unsqueeze",
    };

    /// <summary>The unit of <paramref name="layer"/> (a Conv), reading the graph it belongs to.</summary>
    public static ConvOutputUnit Find(OnnxGraph graph, LinearLayer layer)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(layer);
        var weights = layer.Weight.ToFloatArray();
        var channels = (int)layer.Weight.Dims[0];
        var perChannel = weights.Length / channels;
        float[]? bias = layer.BiasName is { } b && ConstantValues.TryGet(graph, b, out var t) && t.DataType == TensorDataType.Float && t.ElementCount == channels
            ? t.ToFloatArray()
            : null;
        var folded = new List<OnnxNode>();
        var scaled = false;
        var value = layer.Node.Outputs[0];

        // Per-channel constants are recognized by the NCHW layout of a 2-D convolution's output only.
        while (layer.Weight.Rank == 4 && SoleConsumer(graph, value) is { } next && Fold(graph, next, value, channels, weights, perChannel, ref bias, ref scaled))
        {
            folded.Add(next);
            value = next.Outputs[0];
        }

        var relu = SoleConsumer(graph, value) is { OpType: "Relu" } r ? r : null;
        return new ConvOutputUnit(layer, weights, bias, folded, relu, relu?.Outputs[0] ?? value) { ScalesWeights = scaled };
    }

    /// <summary>
    /// The chains that carry a quantized value <paramref name="source"/> through same-scale ops to a value some quantized
    /// layer reads (in <paramref name="layerInputs"/>): each (op, its output) pair in order.
    /// </summary>
    public static IReadOnlyList<(OnnxNode Op, string Output)> SameScaleChain(OnnxGraph graph, string source, IReadOnlySet<string> layerInputs)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(layerInputs);
        var chain = new List<(OnnxNode, string)>();
        var value = source;
        while (SoleConsumer(graph, value) is { } op && SameScaleOps.Contains(op.OpType) && op.Outputs.Count == 1)
        {
            value = op.Outputs[0];
            chain.Add((op, value));
            if (layerInputs.Contains(value))
            {
                return chain;
            }
        }

        return [];
    }

    /// <summary>The one node that reads <paramref name="value"/> when nothing else does (and it is no graph output).</summary>
    private static OnnxNode? SoleConsumer(OnnxGraph graph, string value)
    {
        var consumers = graph.GetConsumers(value);
        return consumers.Count == 1 && !graph.IsGraphOutput(value) && consumers[0].IsDefaultDomain
            && consumers[0].Inputs.Count(i => i == value) == 1 ? consumers[0] : null;
    }

    /// <summary>
    /// Folds <paramref name="node"/> (reading <paramref name="input"/>, the Conv's output so far) into the weights and
    /// bias when it is a per-output-channel affine map: BatchNormalization y = γ(x − μ)/√(σ² + ε) + β, so w·a and
    /// (b − μ)·a + β with a = γ/√(σ² + ε) (Ioffe and Szegedy 2015, inference form); Mul by m: w·m, b·m; Add of c: b + c.
    /// </summary>
    private static bool Fold(OnnxGraph graph, OnnxNode node, string input, int channels, float[] weights, int perChannel, ref float[]? bias, ref bool scaled)
    {
        float[]? scale = null;
        float[]? shift = null;
        switch (node.OpType)
        {
            case "BatchNormalization" when node.Outputs.Count == 1 && node.Inputs.Count == 5 && node.Inputs[0] == input:
                var p = new float[4][];
                for (var i = 0; i < 4; i++)
                {
                    if (PerChannel(graph, node.Inputs[i + 1], channels, vectorOk: true) is not { } v)
                    {
                        return false;
                    }

                    p[i] = v;
                }

                var eps = node.GetFloat("epsilon", 1e-5f);
                scale = new float[channels];
                shift = new float[channels];
                for (var c = 0; c < channels; c++)
                {
                    scale[c] = (float)(p[0][c] / Math.Sqrt((double)p[3][c] + eps));
                    shift[c] = p[1][c] - (p[2][c] * scale[c]);
                }

                break;
            case "Mul" when node.Inputs.Count == 2 && Other(node, input) is { } m && PerChannel(graph, m, channels, vectorOk: false) is { } mv:
                scale = mv;
                break;
            case "Add" when node.Inputs.Count == 2 && Other(node, input) is { } a && PerChannel(graph, a, channels, vectorOk: false) is { } av:
                shift = av;
                break;
            default:
                return false;
        }

        if (scale is not null)
        {
            for (var c = 0; c < channels; c++)
            {
                weights.AsSpan(c * perChannel, perChannel).MultiplyBy(scale[c]);
            }

            scaled = true;
        }

        var b = bias ?? new float[channels];
        for (var c = 0; c < channels; c++)
        {
            b[c] = (b[c] * (scale?[c] ?? 1f)) + (shift?[c] ?? 0f);
        }

        bias = b;
        return true;
    }

    private static string? Other(OnnxNode node, string input) =>
        node.Inputs[0] == input ? node.Inputs[1] : node.Inputs[1] == input ? node.Inputs[0] : null;

    /// <summary>
    /// A constant's values per output channel of an NCHW tensor: one value broadcast to all, or shape [C,1,1] /
    /// [1,C,1,1] (a bare [C] broadcasts along the width, not the channels, so only BatchNormalization's own vectors may
    /// be [C]). Null otherwise.
    /// </summary>
    private static float[]? PerChannel(OnnxGraph graph, string value, int channels, bool vectorOk)
    {
        if (!ConstantValues.TryGet(graph, value, out var t) || t.DataType != TensorDataType.Float)
        {
            return null;
        }

        var d = t.Dims;
        if (vectorOk)
        {
            return d.Length == 1 && d[0] == channels ? t.ToFloatArray() : null;
        }

        if (d.Length <= 4 && t.ElementCount == 1)
        {
            return Enumerable.Repeat(t.ToFloatArray()[0], channels).ToArray();
        }

        var channelShape = (d.Length == 3 && d[0] == channels && d[1] == 1 && d[2] == 1)
            || (d.Length == 4 && d[0] == 1 && d[1] == channels && d[2] == 1 && d[3] == 1);
        return channelShape ? t.ToFloatArray() : null;
    }

    private static void MultiplyBy(this Span<float> values, float factor)
    {
        for (var i = 0; i < values.Length; i++)
        {
            values[i] *= factor;
        }
    }
}
