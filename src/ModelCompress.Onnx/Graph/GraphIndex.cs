namespace ModelCompress.Onnx.Internal;

/// <summary>Producer and consumer maps of one graph; rebuilt lazily after any edit.</summary>
internal sealed class GraphIndex
{
    private readonly Dictionary<OnnxNode, IReadOnlySet<string>> _implicit = new(ReferenceEqualityComparer.Instance);

    public Dictionary<string, OnnxNode> Producers { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, List<OnnxNode>> Consumers { get; } = new(StringComparer.Ordinal);

    public static GraphIndex Build(OnnxGraph graph)
    {
        var index = new GraphIndex();
        foreach (var n in graph.Nodes)
        {
            foreach (var o in n.Outputs)
            {
                if (o.Length > 0)
                {
                    index.Producers.TryAdd(o, n); // duplicates are reported by the validator (MC1021)
                }
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            var subgraphReads = new HashSet<string>(StringComparer.Ordinal);
            foreach (var g in n.Subgraphs)
            {
                subgraphReads.UnionWith(g.GetOuterScopeReferences());
            }

            index._implicit[n] = subgraphReads;
            foreach (var v in n.Inputs.Concat(subgraphReads))
            {
                if (v.Length > 0 && seen.Add(v))
                {
                    if (!index.Consumers.TryGetValue(v, out var list))
                    {
                        index.Consumers[v] = list = [];
                    }

                    list.Add(n);
                }
            }
        }

        return index;
    }

    /// <summary>Everything <paramref name="node"/> reads: its inputs and its subgraphs' outer-scope references.</summary>
    public IEnumerable<string> ReadsOf(OnnxNode node) =>
        node.Inputs.Where(v => v.Length > 0).Concat(_implicit.TryGetValue(node, out var s) ? s : []).Distinct(StringComparer.Ordinal);
}
