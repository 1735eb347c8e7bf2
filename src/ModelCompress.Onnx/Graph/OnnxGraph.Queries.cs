using ModelCompress.Onnx.Internal;

namespace ModelCompress.Onnx;

/// <summary>Read-only queries over the graph.</summary>
public sealed partial class OnnxGraph
{
    private GraphIndex? _index;

    /// <summary>The node that produces <paramref name="value"/> in this graph, or null (graph input, initializer, outer scope).</summary>
    public OnnxNode? GetProducer(string value) => Index.Producers.GetValueOrDefault(value);

    /// <summary>
    /// The nodes of this graph that read <paramref name="value"/>, in node order, each once. A node whose subgraph
    /// reads the value from this scope (an If/Loop/Scan body) counts as a consumer too.
    /// </summary>
    public IReadOnlyList<OnnxNode> GetConsumers(string value) =>
        Index.Consumers.TryGetValue(value, out var list) ? list : [];

    /// <summary>The first node with the given name, or null.</summary>
    public OnnxNode? FindNode(string name) => _nodes.Find(n => n.Name == name);

    /// <summary>Whether <paramref name="value"/> is defined in this graph (input, initializer, or node output).</summary>
    public bool IsDefinedHere(string value) =>
        _initializers.ContainsKey(value) || Index.Producers.ContainsKey(value) || Inputs.Any(i => i.Name == value)
        || (_rest.SparseInitializer.Count > 0 && SparseInitializerNames.Contains(value));

    /// <summary>Whether <paramref name="value"/> is visible here: defined in this graph or an enclosing one.</summary>
    public bool IsVisible(string value) => IsDefinedHere(value) || (ParentGraph?.IsVisible(value) ?? false);

    /// <summary>Whether <paramref name="value"/> is a graph output.</summary>
    public bool IsGraphOutput(string value) => Outputs.Any(o => o.Name == value);

    /// <summary>Whether <paramref name="value"/> is a graph input.</summary>
    public bool IsGraphInput(string value) => Inputs.Any(i => i.Name == value);

    /// <summary>
    /// Nodes in an order where every node comes after the producers of what it reads (including what its subgraphs
    /// read). Stable: nodes keep their stored order where the dependencies allow. A cycle is MC1022.
    /// </summary>
    public IReadOnlyList<OnnxNode> TopologicalOrder()
    {
        var order = TryTopologicalOrder(out var stuck);
        return order ?? throw OnnxErrors.Create("MC1022", null, Name, string.Join(", ", stuck.Take(10).Select(Describe)));
    }

    /// <summary>Every node of this graph and, depth first, of its subgraphs.</summary>
    public IEnumerable<OnnxNode> AllNodesRecursive()
    {
        foreach (var n in _nodes)
        {
            yield return n;
            foreach (var g in n.Subgraphs)
            {
                foreach (var inner in g.AllNodesRecursive())
                {
                    yield return inner;
                }
            }
        }
    }

    /// <summary>This graph and, depth first, every subgraph.</summary>
    public IEnumerable<OnnxGraph> AllGraphsRecursive()
    {
        yield return this;
        foreach (var n in _nodes)
        {
            foreach (var g in n.Subgraphs)
            {
                foreach (var inner in g.AllGraphsRecursive())
                {
                    yield return inner;
                }
            }
        }
    }

    /// <summary>The declared type of <paramref name="value"/> from inputs, outputs or value_info (in that order), or null.</summary>
    public OnnxValueInfo? GetValueInfo(string value) =>
        Inputs.FirstOrDefault(v => v.Name == value)
        ?? Outputs.FirstOrDefault(v => v.Name == value)
        ?? ValueInfos.FirstOrDefault(v => v.Name == value);

    /// <summary>
    /// The shape of <paramref name="value"/>: from its declared type, else from the weight (initializer or Constant)
    /// that holds it, else from an enclosing graph. Null when unknown.
    /// </summary>
    public IReadOnlyList<OnnxDimension>? GetShape(string value)
    {
        if (GetValueInfo(value)?.Shape is { } shape)
        {
            return shape;
        }

        if (TryGetWeight(value, out var weight))
        {
            return [.. weight.Dims.Select(d => new OnnxDimension(d, null))];
        }

        return IsDefinedHere(value) ? null : ParentGraph?.GetShape(value);
    }

    /// <summary>The element type of <paramref name="value"/> when declared or held by a weight; otherwise Undefined.</summary>
    public TensorDataType GetElementType(string value)
    {
        if (GetValueInfo(value) is { ElementType: not TensorDataType.Undefined } info)
        {
            return info.ElementType;
        }

        if (TryGetWeight(value, out var weight))
        {
            return weight.DataType;
        }

        return IsDefinedHere(value) ? TensorDataType.Undefined : ParentGraph?.GetElementType(value) ?? TensorDataType.Undefined;
    }

    /// <summary>
    /// Finds the constant tensor behind <paramref name="value"/>: an initializer, or the output of a Constant node
    /// (its <c>value</c> tensor, or <c>value_float(s)</c>/<c>value_int(s)</c>), looking into enclosing graphs for
    /// subgraphs. An initializer that is also a graph input (as IR version &lt; 4 requires) still counts.
    /// </summary>
    public bool TryGetWeight(string value, out OnnxTensor tensor)
    {
        if (_initializers.TryGetValue(value, out tensor!))
        {
            return true;
        }

        var producer = GetProducer(value);
        if (producer is not null)
        {
            var fromConstant = ConstantValue(producer, value);
            tensor = fromConstant!;
            return fromConstant is not null;
        }

        if (!Inputs.Any(i => i.Name == value) && ParentGraph is { } parent)
        {
            return parent.TryGetWeight(value, out tensor);
        }

        tensor = null!;
        return false;
    }

    /// <summary>Whether <paramref name="value"/> is a constant (see <see cref="TryGetWeight"/>).</summary>
    public bool IsConstant(string value) => TryGetWeight(value, out _);

    /// <summary>
    /// The names this graph reads from enclosing scopes: values used by its nodes (or its subgraphs' nodes) that it
    /// does not define itself. This is what an If/Loop/Scan node implicitly consumes.
    /// </summary>
    public IReadOnlySet<string> GetOuterScopeReferences()
    {
        var defined = new HashSet<string>(StringComparer.Ordinal);
        defined.UnionWith(Inputs.Select(i => i.Name));
        defined.UnionWith(_initializers.Keys);
        defined.UnionWith(SparseInitializerNames);
        foreach (var n in _nodes)
        {
            defined.UnionWith(n.Outputs);
        }

        var free = new HashSet<string>(StringComparer.Ordinal);
        foreach (var n in _nodes)
        {
            foreach (var i in n.Inputs)
            {
                if (i.Length > 0 && !defined.Contains(i))
                {
                    free.Add(i);
                }
            }

            foreach (var g in n.Subgraphs)
            {
                free.UnionWith(g.GetOuterScopeReferences().Where(v => !defined.Contains(v)));
            }
        }

        return free;
    }

    /// <summary>Drops the cached index of this graph and its enclosing graphs (their implicit inputs may change too).</summary>
    internal void Invalidate()
    {
        _index = null;
        _usedNames = null;
        ParentGraph?.Invalidate();
    }

    private GraphIndex Index => _index ??= GraphIndex.Build(this);

    private static OnnxTensor? ConstantValue(OnnxNode node, string value)
    {
        if (node.OpType != "Constant" || !node.IsDefaultDomain || node.Outputs.Count == 0 || node.Outputs[0] != value)
        {
            return null;
        }

        var a = node.Attributes.Count == 1 ? node.Attributes[0] : null;
        var t = a?.Name switch
        {
            "value" when a.Tensor is not null => a.Tensor,
            "value_float" => OnnxTensor.FromFloats(value, [], [a.Float]),
            "value_floats" => OnnxTensor.FromFloats(value, [a.Floats.Count], [.. a.Floats]),
            "value_int" => OnnxTensor.FromInt64(value, [], [a.Int]),
            "value_ints" => OnnxTensor.FromInt64(value, [a.Ints.Count], [.. a.Ints]),
            _ => null,
        };
        return t is null || t.Name == value ? t : t.WithName(value);
    }

    private IReadOnlyList<OnnxNode>? TryTopologicalOrder(out List<OnnxNode> stuck)
    {
        var index = Index;
        var position = new Dictionary<OnnxNode, int>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < _nodes.Count; i++)
        {
            position[_nodes[i]] = i;
        }

        var pending = new int[_nodes.Count];
        var dependents = new List<int>[_nodes.Count];
        for (var i = 0; i < _nodes.Count; i++)
        {
            dependents[i] = [];
        }

        for (var i = 0; i < _nodes.Count; i++)
        {
            foreach (var v in index.ReadsOf(_nodes[i]))
            {
                if (index.Producers.TryGetValue(v, out var p) && position.TryGetValue(p, out var pi) && pi != i)
                {
                    dependents[pi].Add(i);
                    pending[i]++;
                }
                else if (p is not null && ReferenceEquals(p, _nodes[i]))
                {
                    pending[i]++; // a node reading its own output can never run
                }
            }
        }

        var ready = new PriorityQueue<int, int>();
        for (var i = 0; i < _nodes.Count; i++)
        {
            if (pending[i] == 0)
            {
                ready.Enqueue(i, i);
            }
        }

        var order = new List<OnnxNode>(_nodes.Count);
        while (ready.TryDequeue(out var i, out _))
        {
            order.Add(_nodes[i]);
            foreach (var d in dependents[i])
            {
                if (--pending[d] == 0)
                {
                    ready.Enqueue(d, d);
                }
            }
        }

        stuck = [.. Enumerable.Range(0, _nodes.Count).Where(i => pending[i] > 0).Select(i => _nodes[i])];
        return stuck.Count == 0 ? order : null;
    }

    private static string Describe(OnnxNode n) => string.IsNullOrEmpty(n.Name) ? $"<{n.OpType}>" : n.Name;
}
