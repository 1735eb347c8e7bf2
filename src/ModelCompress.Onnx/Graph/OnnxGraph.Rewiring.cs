using ModelCompress.Onnx.Internal;

namespace ModelCompress.Onnx;

/// <summary>Edits that rewire values: renaming, inserting nodes on an edge, removing what no output needs.</summary>
public sealed partial class OnnxGraph
{
    /// <summary>
    /// Renames value <paramref name="oldName"/> to <paramref name="newName"/> everywhere in this graph: node inputs and
    /// outputs, graph inputs/outputs/value_info, the initializer, and references inside subgraphs (unless a subgraph
    /// defines its own value of that name). MC1015 if the value is unknown here, MC1016 if the new name is taken.
    /// </summary>
    public void RenameValue(string oldName, string newName)
    {
        ArgumentException.ThrowIfNullOrEmpty(oldName);
        ArgumentException.ThrowIfNullOrEmpty(newName);
        if (oldName == newName)
        {
            return;
        }

        if (!IsDefinedHere(oldName) && GetConsumers(oldName).Count == 0 && !IsGraphOutput(oldName))
        {
            throw OnnxErrors.Create("MC1015", null, oldName, Name);
        }

        if (IsDefinedHere(newName) || GetConsumers(newName).Count > 0 || IsGraphOutput(newName))
        {
            throw OnnxErrors.Create("MC1016", null, newName, Name);
        }

        RenameEverywhere(oldName, newName);
    }

    /// <summary>
    /// Inserts a chain of nodes on the edge leaving <paramref name="value"/>: the first node must read
    /// <paramref name="value"/>; every other reader of <paramref name="value"/> in this graph (and in subgraphs) is
    /// rerouted to the last node's first output. A graph output named <paramref name="value"/> keeps its name and
    /// still reports the original value. Typical use: Q/DQ pairs in front of a layer.
    /// </summary>
    public void InsertNodeOnEdge(string value, params OnnxNode[] nodes)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        ArgumentNullException.ThrowIfNull(nodes);
        if (nodes.Length == 0 || !nodes[0].Inputs.Contains(value) || nodes[^1].Outputs.Count == 0 || nodes[^1].Outputs[0].Length == 0)
        {
            throw new ArgumentException("The first node must read the value and the last must have an output.", nameof(nodes));
        }

        if (!IsVisible(value))
        {
            throw OnnxErrors.Create("MC1015", null, value, Name);
        }

        var newValue = nodes[^1].Outputs[0];
        var consumers = GetConsumers(value).ToList();
        var positions = consumers.Select(c => _nodes.IndexOf(c)).Where(i => i >= 0).ToList();
        var producer = GetProducer(value);
        var at = positions.Count > 0 ? positions.Min() : producer is null ? 0 : _nodes.IndexOf(producer) + 1;

        foreach (var c in consumers)
        {
            for (var i = 0; i < c.Inputs.Count; i++)
            {
                if (c.Inputs[i] == value)
                {
                    c.Inputs[i] = newValue;
                }
            }

            foreach (var g in c.Subgraphs)
            {
                g.RenameReferences(value, newValue);
            }
        }

        for (var i = 0; i < nodes.Length; i++)
        {
            AttachNode(at + i, nodes[i]);
        }

        // The inserted nodes may read values produced after the insertion point (e.g. a scale computed later).
        if (!IsOrdered())
        {
            SortTopologically();
        }
    }

    /// <summary>
    /// Removes nodes no graph output depends on (in this graph and, recursively, in the subgraphs of the nodes that
    /// stay), then initializers nothing reads (with their IR &lt; 4 graph-input twins) and value_info entries of values
    /// that no longer exist. Returns the number of nodes removed.
    /// </summary>
    public int RemoveDeadNodes()
    {
        var live = new HashSet<OnnxNode>(ReferenceEqualityComparer.Instance);
        var needed = new Stack<string>(Outputs.Select(o => o.Name));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var index = Index;
        while (needed.TryPop(out var v))
        {
            if (!seen.Add(v) || !index.Producers.TryGetValue(v, out var producer) || !live.Add(producer))
            {
                continue;
            }

            foreach (var read in index.ReadsOf(producer))
            {
                needed.Push(read);
            }
        }

        var removed = 0;
        for (var i = _nodes.Count - 1; i >= 0; i--)
        {
            if (!live.Contains(_nodes[i]))
            {
                _nodes[i].Graph = null;
                _nodes.RemoveAt(i);
                removed++;
            }
        }

        foreach (var g in _nodes.SelectMany(n => n.Subgraphs).ToList())
        {
            removed += g.RemoveDeadNodes();
        }

        Invalidate();

        // Which initializers nothing reads is decided on the graph before any is removed: removing an initializer
        // changes no consumer, and deciding one by one rebuilt the graph index after every removal.
        foreach (var name in _initializers.Keys.Where(name => GetConsumers(name).Count == 0 && !IsGraphOutput(name)).ToList())
        {
            RemoveInitializer(name);
        }

        var present = new HashSet<string>(_nodes.SelectMany(n => n.Outputs), StringComparer.Ordinal);
        RemoveAll(ValueInfos, v => !present.Contains(v.Name));
        Invalidate();
        return removed;
    }

    /// <summary>Whether every node comes after the producers of what it reads.</summary>
    internal bool IsOrdered()
    {
        var index = Index;
        var position = new Dictionary<OnnxNode, int>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < _nodes.Count; i++)
        {
            position[_nodes[i]] = i;
        }

        for (var i = 0; i < _nodes.Count; i++)
        {
            foreach (var v in index.ReadsOf(_nodes[i]))
            {
                if (index.Producers.TryGetValue(v, out var p) && position[p] >= i)
                {
                    return false;
                }
            }
        }

        return true;
    }

    private void RenameEverywhere(string oldName, string newName)
    {
        foreach (var n in _nodes)
        {
            ReplaceIn(n.Outputs, oldName, newName);
        }

        foreach (var v in Inputs.Concat(Outputs).Concat(ValueInfos))
        {
            if (v.Name == oldName)
            {
                v.Name = newName;
            }
        }

        if (_initializers.TryGetValue(oldName, out var tensor))
        {
            var position = _initializers.IndexOf(oldName);
            _initializers.RemoveAt(position);
            _initializers.Insert(position, newName, tensor.WithName(newName));
        }

        RenameReferences(oldName, newName);
        Invalidate();
    }

    /// <summary>Renames reads of an outer value in this graph and its subgraphs, stopping where a graph defines its own.</summary>
    private void RenameReferences(string oldName, string newName)
    {
        foreach (var n in _nodes)
        {
            ReplaceIn(n.Inputs, oldName, newName);
            foreach (var g in n.Subgraphs)
            {
                if (!g.DefinesLocally(oldName))
                {
                    g.RenameReferences(oldName, newName);
                }
            }
        }

        Invalidate();
    }

    private bool DefinesLocally(string value) =>
        _initializers.ContainsKey(value) || Inputs.Any(i => i.Name == value) || _nodes.Any(n => n.Outputs.Contains(value));

    private static void ReplaceIn(IList<string> names, string oldName, string newName)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i] == oldName)
            {
                names[i] = newName;
            }
        }
    }
}
