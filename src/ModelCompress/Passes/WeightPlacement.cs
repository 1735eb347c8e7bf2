using ModelCompress.Analysis;
using ModelCompress.Onnx;

namespace ModelCompress.Passes;

/// <summary>
/// Where a weight-only pass writes a layer's stored weight and the nodes that restore it, for layers in the main
/// graph and in If/Loop/Scan subgraphs alike: in the graph that defines the float weight (the layer's own graph, or
/// the enclosing graph a subgraph reads it from), at the front of that graph's nodes — the new nodes read only that
/// graph's initializers, so the front is always a topological spot, and a weight several subgraphs share is stored
/// once. The float weight is then dropped from that graph once nothing reads it.
/// </summary>
internal sealed class WeightPlacement
{
    private readonly Dictionary<OnnxGraph, int> _insertAt = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<(OnnxGraph Graph, string Weight), string> _restored = [];

    /// <summary>The graph that defines <paramref name="layer"/>'s weight.</summary>
    public static OnnxGraph Owner(PassLayer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        var graph = layer.Node.Graph ?? throw new InvalidOperationException($"Layer '{layer.Name}' is not in a graph.");
        return ConstantValues.OwnerOf(graph, layer.WeightName);
    }

    /// <summary>The name shown for a layer: the node's, with <c>:W</c>/<c>:R</c> for the two weights of a recurrent op.</summary>
    public static string DisplayName(PassLayer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        return layer.Node.OpType is "LSTM" or "GRU" or "RNN" ? layer.Name + (layer.WeightInputIndex == 1 ? ":W" : ":R") : layer.Name;
    }

    /// <summary>The restored float value already written for this weight in <paramref name="owner"/>, if any.</summary>
    public bool TryGetRestored(OnnxGraph owner, string weight, out string restored) => _restored.TryGetValue((owner, weight), out restored!);

    /// <summary>Puts <paramref name="nodes"/> at the front of <paramref name="owner"/> (after those put there before) and records the value they restore.</summary>
    public void Add(OnnxGraph owner, string weight, string restored, IEnumerable<OnnxNode> nodes)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(nodes);
        var at = _insertAt.GetValueOrDefault(owner);
        foreach (var n in nodes)
        {
            owner.InsertNode(at++, n);
        }

        _insertAt[owner] = at;
        _restored[(owner, weight)] = restored;
    }

    /// <summary>Points the layer at <paramref name="restored"/> and drops the float weight from <paramref name="owner"/> once unread.</summary>
    public static void Rewire(PassLayer layer, OnnxGraph owner, string restored)
    {
        ArgumentNullException.ThrowIfNull(layer);
        layer.Node.Inputs[layer.WeightInputIndex] = restored;
        UnusedWeights.Remove(owner, layer.WeightName);
    }
}
