using ModelCompress.Analysis;
using ModelCompress.Onnx;
using ModelCompress.Recipe;

namespace ModelCompress.Passes;

/// <summary>
/// Finds <see cref="PrunableStructure"/>s from the graph alone (no names, no model family): for every linear layer B
/// (MatMul/Gemm for <see cref="StructuredTarget.Mlp"/>, Conv for <see cref="StructuredTarget.Conv"/>) it walks back
/// from B's input through channel-wise ops to the linear layers that produce those channels. The walk accepts only ops
/// that treat every channel on its own — so that channel j of the result depends on channel j of the producers alone —
/// and every value on the way must be read only inside the structure; anything else (a residual Add, a Reshape, a
/// LayerNorm mixing channels, a shared weight) leaves the structure intact with the reason.
/// </summary>
internal static class StructureFinder
{
    private static readonly HashSet<string> Unary = new(StringComparer.Ordinal)
    {
        "Relu", "Gelu", "Sigmoid", "Tanh", "Erf", "LeakyRelu", "Elu", "Selu", "Celu", "Softplus", "Softsign", "HardSigmoid",
        "HardSwish", "Mish", "Identity", "Neg", "Abs", "Clip", "Dropout", "ThresholdedRelu",
    };

    private static readonly HashSet<string> Binary = new(StringComparer.Ordinal) { "Add", "Sub", "Mul", "Div", "Pow", "PRelu", "Max", "Min" };

    private static readonly HashSet<string> Pooling = new(StringComparer.Ordinal)
    {
        "MaxPool", "AveragePool", "LpPool", "GlobalAveragePool", "GlobalMaxPool",
    };

    /// <summary>The structures of <paramref name="targets"/> kinds, in graph order of their consumers, and the near misses with why.</summary>
    public static (List<PrunableStructure> Found, List<(string Name, string Why)> Skipped) Find(
        OnnxGraph graph, IReadOnlyList<LinearLayer> layers, IReadOnlyCollection<StructuredTarget> targets, Func<LinearLayer, bool> excluded, long opset = 17)
    {
        var byOutput = new Dictionary<string, LinearLayer>(StringComparer.Ordinal);
        foreach (var layer in layers)
        {
            byOutput.TryAdd(layer.OutputName, layer);
        }

        var found = new List<PrunableStructure>();
        var skipped = new List<(string, string)>();
        foreach (var consumer in layers)
        {
            var kind = consumer.Kind == LinearLayerKind.Conv ? StructuredTarget.Conv : StructuredTarget.Mlp;
            var heads = kind == StructuredTarget.Mlp && targets.Contains(StructuredTarget.Heads);
            if (!targets.Contains(kind) && !heads)
            {
                continue;
            }

            var walk = new Walk(graph, byOutput, consumer, kind);
            walk.Visit(consumer.InputName);
            if (walk.Producers.Count == 0)
            {
                // B reads nothing that a linear layer produces channel by channel; it may read attention heads.
                var (attention, reason) = heads ? HeadFinder.TryFind(graph, byOutput, consumer, opset) : (null, null);
                reason ??= attention is null ? null : CheckLayers(graph, attention.Producers, consumer, excluded, attention.Producers);
                if (reason is not null)
                {
                    skipped.Add((consumer.Name, reason));
                }
                else if (attention is not null)
                {
                    found.Add(attention);
                }

                continue;
            }

            if (!targets.Contains(kind))
            {
                continue;
            }

            var why = walk.Failure ?? Check(graph, walk, consumer, excluded);
            if (why is not null)
            {
                skipped.Add((consumer.Name, why));
                continue;
            }

            found.Add(new PrunableStructure(kind, walk.Producers, consumer, consumer.InFeatures, walk.Values, walk.Constants));
        }

        return (found, skipped);
    }

    /// <summary>Why the walked structure cannot be shrunk consistently, or null when it can.</summary>
    private static string? Check(OnnxGraph graph, Walk walk, LinearLayer consumer, Func<LinearLayer, bool> excluded)
    {
        if (walk.Producers.Concat([consumer]).FirstOrDefault(excluded) is { } ex)
        {
            return $"'{ex.Name}' is excluded";
        }

        foreach (var value in walk.Values)
        {
            if (graph.IsGraphOutput(value))
            {
                return $"'{value}' is a graph output";
            }

            if (graph.GetConsumers(value).FirstOrDefault(n => !walk.Nodes.Contains(n) && !ReferenceEquals(n, consumer.Node)) is { } outside)
            {
                return $"'{value}' is also read by '{Display(outside)}' ({outside.OpType}), which would see fewer channels";
            }
        }

        return CheckLayers(graph, walk.Producers, consumer, _ => false, walk.Producers);
    }

    /// <summary>Why the member layers cannot be cut (excluded, a shared weight, a bias that is not per channel), or null.</summary>
    internal static string? CheckLayers(
        OnnxGraph graph, IReadOnlyList<LinearLayer> producers, LinearLayer consumer, Func<LinearLayer, bool> excluded, IReadOnlyList<LinearLayer> biased)
    {
        if (producers.Concat([consumer]).FirstOrDefault(excluded) is { } ex)
        {
            return $"'{ex.Name}' is excluded";
        }

        foreach (var layer in producers.Concat([consumer]))
        {
            if (graph.GetConsumers(layer.WeightName).Count != 1)
            {
                return $"the weight '{layer.WeightName}' of '{layer.Name}' is shared with another node";
            }

            if (layer.BiasName is not null && biased.Contains(layer) && layer.BiasValues(graph) is null)
            {
                return $"the bias of '{layer.Name}' is not a constant with one value per channel";
            }
        }

        return null;
    }

    private static string Display(OnnxNode node) => node.Name.Length > 0 ? node.Name : node.Outputs.FirstOrDefault() ?? node.OpType;

    /// <summary>One backward walk from a consumer's input; the first failure stops it.</summary>
    private sealed class Walk(OnnxGraph graph, Dictionary<string, LinearLayer> byOutput, LinearLayer consumer, StructuredTarget kind)
    {
        private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

        // Channels sit on the activation's last axis for MatMul/Gemm and on axis 1 of NCHW for Conv, i.e. rank − 2 from the end.
        private readonly int _fromEnd = kind == StructuredTarget.Conv ? consumer.Weight.Dims.Length - 2 : 0;

        public List<LinearLayer> Producers { get; } = [];

        public List<string> Values { get; } = [];

        public HashSet<OnnxNode> Nodes { get; } = new(ReferenceEqualityComparer.Instance);

        public List<ChannelConstant> Constants { get; } = [];

        public string? Failure { get; private set; }

        private int Channels => consumer.InFeatures;

        public void Visit(string value)
        {
            if (Failure is not null || !_seen.Add(value))
            {
                return;
            }

            Values.Add(value);
            if (byOutput.TryGetValue(value, out var producer))
            {
                AddProducer(producer);
                return;
            }

            if (graph.GetProducer(value) is not { IsDefaultDomain: true } node)
            {
                Fail($"'{value}' is not computed from a linear layer by channel-wise ops");
                return;
            }

            if (node.Outputs.Skip(1).Any(o => o.Length > 0 && graph.GetConsumers(o).Count > 0))
            {
                Fail($"'{Display(node)}' ({node.OpType}) has a second output in use");
                return;
            }

            Nodes.Add(node);
            switch (node.OpType)
            {
                case var op when Unary.Contains(op):
                    VisitExtraInputsAsScalars(node);
                    Visit(node.Inputs[0]);
                    break;
                case var op when Binary.Contains(op) && node.Inputs.Count == 2:
                    VisitOperand(node, 0);
                    VisitOperand(node, 1);
                    break;
                case "BatchNormalization" when kind == StructuredTarget.Conv && node.Inputs.Count == 5:
                    for (var i = 1; i < 5; i++)
                    {
                        AddChannelConstant(node, i, oneAxis: true);
                    }

                    Visit(node.Inputs[0]);
                    break;
                case var op when kind == StructuredTarget.Conv && Pooling.Contains(op):
                    Visit(node.Inputs[0]);
                    break;
                default:
                    Fail($"'{Display(node)}' ({node.OpType}) does not keep channels apart");
                    break;
            }
        }

        private void AddProducer(LinearLayer producer)
        {
            var ok = kind == StructuredTarget.Conv
                ? producer.Kind == LinearLayerKind.Conv && producer.Node.GetInt("group", 1) == 1
                : producer.Kind != LinearLayerKind.Conv;
            if (!ok)
            {
                Fail($"the channels come from '{producer.Name}' ({producer.Kind}{(producer.Kind == LinearLayerKind.Conv ? ", grouped or depthwise" : string.Empty)})");
            }
            else if (producer.OutFeatures != Channels)
            {
                Fail($"'{producer.Name}' makes {producer.OutFeatures} channels, the consumer reads {Channels}");
            }
            else if (ReferenceEquals(producer, consumer))
            {
                Fail("the layer reads its own output");
            }
            else
            {
                Producers.Add(producer);
            }
        }

        private void VisitOperand(OnnxNode node, int index)
        {
            var input = node.Inputs[index];
            if (ConstantValues.TryGet(graph, input, out var constant))
            {
                if (constant.Dims.All(d => d == 1))
                {
                    return; // a scalar (GELU's 1/√2, a gating bias of one value): the same for every channel
                }

                AddChannelConstant(node, index, oneAxis: false);
                return;
            }

            Visit(input);
        }

        private void VisitExtraInputsAsScalars(OnnxNode node)
        {
            foreach (var input in node.Inputs.Skip(1).Where(i => i.Length > 0))
            {
                if (!ConstantValues.TryGet(graph, input, out var c) || c.Dims.Any(d => d != 1))
                {
                    Fail($"'{Display(node)}' ({node.OpType}) has an input '{input}' that is not one constant value");
                    return;
                }
            }
        }

        /// <summary>
        /// A constant with one value per channel: a 1-D [C] (BatchNormalization's parameters), or a tensor that
        /// broadcasts against the activation with C on the channel axis and 1 elsewhere (a Conv bias written as Add of
        /// [C,1,1], a per-channel scale [C] on a MatMul output).
        /// </summary>
        private void AddChannelConstant(OnnxNode node, int index, bool oneAxis)
        {
            if (!ConstantValues.TryGet(graph, node.Inputs[index], out var c))
            {
                Fail($"'{Display(node)}' ({node.OpType}) input '{node.Inputs[index]}' is not constant");
                return;
            }

            var dims = c.Dims;
            var axis = oneAxis ? (dims.Length == 1 ? 0 : -1) : dims.Length - 1 - _fromEnd;
            if (axis < 0 || dims[axis] != Channels || dims.Where((d, i) => i != axis && d != 1).Any() || c.DataType != TensorDataType.Float)
            {
                Fail($"'{Display(node)}' ({node.OpType}) mixes in a constant of shape [{string.Join(",", dims)}] that is not per channel");
                return;
            }

            Constants.Add(new ChannelConstant(Display(node), node, index, axis));
        }

        private void Fail(string why) => Failure ??= why;
    }
}
