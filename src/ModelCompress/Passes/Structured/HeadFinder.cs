using ModelCompress.Analysis;
using ModelCompress.Onnx;
using ModelCompress.Recipe;

namespace ModelCompress.Passes;

/// <summary>
/// Finds the attention heads an output projection O reads, from the graph alone. Walking back from O's input collects
/// the linear layers whose outputs reach it (Q, K, V, or one fused QKV linear and its Split); then every value from
/// them is followed forward with a tag per axis — <c>H</c> (the head axis), <c>D</c> (inside one head) or <c>?</c> —
/// through the ops attention is written with: Reshapes that split channels into [heads, head_size] and merge them
/// back, Transposes, the batched MatMuls (which must pair heads with heads), Softmax, scalar scales and masks. Only if
/// every such value ends in O, heads never mix (no op reduces, mixes or broadcasts along <c>H</c> against a constant
/// with several heads), and Q, K and V all have the same heads, can head h be removed: its columns in every producer,
/// its rows of O, and one from every head count the Reshapes and Splits name. Grouped-query attention, where K/V
/// heads are repeated (Tile, Expand), is left intact.
/// </summary>
internal static partial class HeadFinder
{
    private const int MaxNodes = 400;

    /// <summary>The heads O reads, null with a reason when they cannot be cut, or (null, null) when O is not an attention output at all.</summary>
    public static (PrunableStructure? Found, string? Why) TryFind(OnnxGraph graph, Dictionary<string, LinearLayer> byOutput, LinearLayer consumer, long opset)
    {
        var back = new Backward(graph, byOutput);
        back.Visit(consumer.InputName);
        if (back.Sources.Count == 0 || back.Overflow
            || !back.Nodes.Any(n => n.OpType == "MatMul" && !graph.IsConstant(n.Inputs[0]) && !graph.IsConstant(n.Inputs[1])))
        {
            return (null, null); // no product of two activations on the way: not attention
        }

        var forward = new Forward(graph, back.Nodes, consumer, opset);
        foreach (var source in back.Sources)
        {
            forward.Seed(source);
        }

        var why = forward.Run();
        if (why is null && forward.HeadCount is null)
        {
            why = "no Reshape splits its input into heads";
        }

        if (why is null && forward.Values.FirstOrDefault(graph.IsGraphOutput) is { } exposed)
        {
            why = $"'{exposed}' is a graph output";
        }

        if (why is not null)
        {
            return (null, why);
        }

        var h = forward.HeadCount!.Value;
        var d = forward.HeadSize;
        if (h * d != consumer.InFeatures)
        {
            return (null, $"{h} heads of {d} do not make the {consumer.InFeatures} inputs of '{consumer.Name}'");
        }

        foreach (var source in back.Sources)
        {
            var covered = forward.Segments.Where(s => ReferenceEquals(s.Layer, source)).Count() * h * d;
            if (covered != source.OutFeatures)
            {
                return (null, $"'{source.Name}' has {source.OutFeatures} outputs, {covered} of which are heads of the same size as the others (grouped-query attention is left intact)");
            }
        }

        var layout = new HeadLayout(h, forward.Segments, forward.Reshapes, forward.Splits);
        return (new PrunableStructure(StructuredTarget.Heads, [.. back.Sources], consumer, h * d, [.. forward.Values], [], d, layout), null);
    }

    private static string Display(OnnxNode node) => node.Name.Length > 0 ? node.Name : node.Outputs.FirstOrDefault() ?? node.OpType;

    /// <summary>The data inputs of the ops attention is made of (shape inputs and conditions are not data).</summary>
    private static IEnumerable<int> DataInputs(OnnxNode node) => node.OpType switch
    {
        "Reshape" or "Transpose" or "Softmax" or "Split" => [0],
        "MatMul" or "Add" or "Sub" or "Mul" or "Div" or "Concat" => Enumerable.Range(0, node.Inputs.Count),
        "Where" => [1, 2],
        _ => [],
    };

    /// <summary>Collects the nodes between O and the linear layers that feed it.</summary>
    private sealed class Backward(OnnxGraph graph, Dictionary<string, LinearLayer> byOutput)
    {
        private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

        public List<LinearLayer> Sources { get; } = [];

        public HashSet<OnnxNode> Nodes { get; } = new(ReferenceEqualityComparer.Instance);

        public bool Overflow { get; private set; }

        public void Visit(string value)
        {
            if (!_seen.Add(value) || graph.IsConstant(value))
            {
                return;
            }

            if (byOutput.TryGetValue(value, out var layer))
            {
                if (!Sources.Contains(layer))
                {
                    Sources.Add(layer);
                }

                return;
            }

            if (graph.GetProducer(value) is not { IsDefaultDomain: true } node || !DataInputs(node).Any())
            {
                return;
            }

            if (Nodes.Add(node) && Nodes.Count > MaxNodes)
            {
                Overflow = true;
                return;
            }

            foreach (var i in DataInputs(node).Where(i => i < node.Inputs.Count && node.Inputs[i].Length > 0))
            {
                Visit(node.Inputs[i]);
            }
        }
    }
}
