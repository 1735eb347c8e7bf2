using ModelCompress.Onnx;

namespace ModelCompress.Analysis;

/// <summary>Classifies the op that feeds a group of layers (SmoothQuant's fold target).</summary>
public static partial class GraphAnalyzer
{
    private const int RmsSearchDepth = 6;

    private static SmoothingAnchor FindAnchor(OnnxGraph graph, string activation, List<LinearLayer> members, List<LinearLayer> layers)
    {
        var channels = members[0].InFeatures;
        var memberNodes = members.Select(m => m.Node).ToHashSet();
        // Shape and Size read only the activation's shape, which smoothing keeps.
        var others = graph.GetConsumers(activation)
            .Where(c => !memberNodes.Contains(c) && !(c.IsDefaultDomain && c.OpType is "Shape" or "Size"))
            .ToList();
        string? exclusive = graph.IsGraphOutput(activation)
            ? "the activation is a graph output"
            : others.Count > 0 ? $"the activation also feeds {others[0].OpType} '{others[0].Name}'" : null;

        var producer = graph.GetProducer(activation);
        if (producer is null)
        {
            return new SmoothingAnchor(AnchorKind.None, null, null, null, null, false, "the activation is a graph input");
        }

        var anchor = Classify(graph, producer, activation, channels, layers);
        if (anchor.Kind == AnchorKind.None || exclusive is null)
        {
            return anchor;
        }

        return anchor with { CanFold = false, Reason = exclusive };
    }

    private static SmoothingAnchor Classify(OnnxGraph graph, OnnxNode producer, string activation, int channels, List<LinearLayer> layers)
    {
        var name = producer.Name.Length > 0 ? producer.Name : activation;

        // Relu and LeakyRelu are positively homogeneous, f(x/s) = f(x)/s for s > 0: look through them.
        if (producer.IsDefaultDomain && producer.OpType is "Relu" or "LeakyRelu" && producer.Inputs.Count == 1
            && graph.GetConsumers(producer.Inputs[0]).Count == 1 && !graph.IsGraphOutput(producer.Inputs[0])
            && graph.GetProducer(producer.Inputs[0]) is { } inner)
        {
            var through = Classify(graph, inner, producer.Inputs[0], channels, layers);
            if (through.CanFold)
            {
                return through;
            }
        }

        if (producer.IsDefaultDomain && producer.OpType == "LayerNormalization"
            && producer.GetInt("axis", -1) == -1 && IsChannelConstant(graph, producer, 1, channels)
            && (producer.Inputs.Count < 3 || producer.Inputs[2].Length == 0 || IsChannelConstant(graph, producer, 2, channels)))
        {
            var beta = producer.Inputs.Count > 2 && producer.Inputs[2].Length > 0 ? producer.Inputs[2] : null;
            return new SmoothingAnchor(AnchorKind.LayerNorm, producer, producer.Inputs[1], beta, null, true, null);
        }

        if ((producer.OpType == "SimplifiedLayerNormalization" && producer.Domain == "com.microsoft")
            || (producer.IsDefaultDomain && producer.OpType == "RMSNormalization"))
        {
            return producer.GetInt("axis", -1) == -1 && IsChannelConstant(graph, producer, 1, channels)
                ? new SmoothingAnchor(AnchorKind.RmsNorm, producer, producer.Inputs[1], null, null, true, null)
                : None(producer, $"{producer.OpType} '{name}' does not normalize the last axis with a constant scale");
        }

        if (producer.IsDefaultDomain && producer.OpType == "Mul" && producer.Inputs.Count == 2 && EndsGelu(graph, producer))
        {
            // A per-channel vector in GELU's closing Mul stops ONNX Runtime from fusing the pattern into one Gelu
            // kernel (it wants scalars there); a Mul after the GELU costs less than the unfused Erf/Div/Add/Mul chain.
            return None(producer, $"Mul '{name}' closes a GELU that ONNX Runtime fuses");
        }

        if (producer.IsDefaultDomain && producer.OpType == "Mul" && producer.Inputs.Count == 2)
        {
            for (var i = 0; i < 2; i++)
            {
                var other = producer.Inputs[1 - i];
                if (IsChannelConstant(graph, producer, i, channels, allowScalar: true) && !graph.IsConstant(other))
                {
                    var kind = LooksRmsNormalized(graph, other) ? AnchorKind.RmsNorm : AnchorKind.ConstantMul;
                    return new SmoothingAnchor(kind, producer, producer.Inputs[i], null, null, true, null);
                }
            }
        }

        // A LayerNorm spelled in plain ops ends in Add(Mul(x̂, γ), β); both constants absorb 1/s.
        if (producer.IsDefaultDomain && producer.OpType == "Add" && producer.Inputs.Count == 2)
        {
            for (var i = 0; i < 2; i++)
            {
                if (IsChannelConstant(graph, producer, i, channels, allowScalar: true)
                    && graph.GetProducer(producer.Inputs[1 - i]) is { IsDefaultDomain: true, OpType: "Mul" } mul
                    && graph.GetConsumers(mul.Outputs[0]).Count == 1 && !graph.IsGraphOutput(mul.Outputs[0]))
                {
                    var gamma = Enumerable.Range(0, 2).FirstOrDefault(j => IsChannelConstant(graph, mul, j, channels, allowScalar: true), -1);
                    if (gamma >= 0 && !ConstantValues.TryGet(graph, mul.Inputs[1 - gamma], out _))
                    {
                        var kind = LooksRmsNormalized(graph, mul.Inputs[1 - gamma]) ? AnchorKind.LayerNorm : AnchorKind.ConstantMul;
                        return new SmoothingAnchor(kind, mul, mul.Inputs[gamma], producer.Inputs[i], null, true, null) { BiasNode = producer };
                    }
                }
            }
        }

        if (PreviousLayer(graph, activation, channels, layers) is { } previous)
        {
            return new SmoothingAnchor(AnchorKind.Linear, producer, previous.WeightName, previous.BiasName, previous, true, null);
        }

        return None(producer, $"{producer.OpType} '{name}' cannot absorb a per-channel factor");
    }

    /// <summary>Whether <paramref name="mul"/> is the last op of an erf or tanh GELU (an Erf/Tanh within three producers upstream).</summary>
    private static bool EndsGelu(OnnxGraph graph, OnnxNode mul)
    {
        var frontier = new List<OnnxNode> { mul };
        for (var depth = 0; depth < 3; depth++)
        {
            frontier = [.. frontier.SelectMany(n => n.Inputs).Where(i => i.Length > 0).Select(graph.GetProducer).OfType<OnnxNode>()];
            if (frontier.Any(n => n.IsDefaultDomain && n.OpType is "Erf" or "Tanh"))
            {
                return true;
            }
        }

        return false;
    }

    private static SmoothingAnchor None(OnnxNode producer, string reason) =>
        new(AnchorKind.None, producer, null, null, null, false, reason);

    /// <summary>A MatMul/Gemm layer whose result (after its bias) is <paramref name="activation"/>.</summary>
    private static LinearLayer? PreviousLayer(OnnxGraph graph, string activation, int channels, List<LinearLayer> layers)
    {
        var previous = layers.FirstOrDefault(l => l.OutputName == activation && l.Kind != LinearLayerKind.Conv);
        if (previous is null || previous.OutFeatures != channels || previous.Alpha != 1f)
        {
            return null;
        }

        // The weight's output columns change, so the layer must not share its weight with another node.
        return graph.GetConsumers(previous.WeightName).Count == 1 ? previous : null;
    }

    /// <summary>Whether input <paramref name="index"/> of <paramref name="node"/> is a float constant that broadcasts along the last axis only.</summary>
    private static bool IsChannelConstant(OnnxGraph graph, OnnxNode node, int index, int channels, bool allowScalar = false)
    {
        if (node.Inputs.Count <= index || node.Inputs[index].Length == 0
            || !graph.TryGetWeight(node.Inputs[index], out var t) || t.DataType != TensorDataType.Float)
        {
            return false;
        }

        var dims = t.Dims;
        if (t.ElementCount == 1)
        {
            return allowScalar || channels == 1;
        }

        return t.ElementCount == channels && dims.Length > 0 && dims[^1] == channels;
    }

    /// <summary>Whether <paramref name="value"/> is computed from a mean of squares within a few ops (x · rsqrt(mean(x²) + ε)).</summary>
    private static bool LooksRmsNormalized(OnnxGraph graph, string value)
    {
        var seen = new HashSet<OnnxNode>();
        var frontier = new List<string> { value };
        bool reduce = false, root = false;
        for (var depth = 0; depth < RmsSearchDepth && frontier.Count > 0; depth++)
        {
            var next = new List<string>();
            foreach (var v in frontier)
            {
                if (graph.GetProducer(v) is not { } p || !seen.Add(p))
                {
                    continue;
                }

                reduce |= p.OpType is "ReduceMean" or "ReduceSumSquare" or "ReduceL2";
                root |= p.OpType is "Sqrt" or "Reciprocal" or "Pow" or "Div" or "ReduceL2";
                next.AddRange(p.Inputs.Where(i => i.Length > 0));
            }

            frontier = next;
        }

        return reduce && root;
    }
}
