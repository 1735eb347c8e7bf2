using ModelCompress.Onnx.Internal;

namespace ModelCompress.Onnx;

/// <summary>Structural edits. Each keeps the graph consistent enough for the queries; <see cref="Validate"/> checks the rest.</summary>
public sealed partial class OnnxGraph
{
    private readonly HashSet<string> _reservedNames = new(StringComparer.Ordinal);
    private HashSet<string>? _usedNames;

    /// <summary>Appends <paramref name="node"/> (it must not belong to another graph) and returns it.</summary>
    public OnnxNode AddNode(OnnxNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        AttachNode(_nodes.Count, node);
        return node;
    }

    /// <summary>Creates and appends a node.</summary>
    public OnnxNode AddNode(string opType, IEnumerable<string> inputs, IEnumerable<string> outputs, string? name = null, string domain = "") =>
        AddNode(new OnnxNode(opType, inputs, outputs, name, domain));

    /// <summary>Inserts <paramref name="node"/> at position <paramref name="index"/> of <see cref="Nodes"/>.</summary>
    public OnnxNode InsertNode(int index, OnnxNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)index, (uint)_nodes.Count, nameof(index));
        AttachNode(index, node);
        return node;
    }

    /// <summary>Removes <paramref name="node"/>; the values it produced are left dangling for the caller to reconnect.</summary>
    public void RemoveNode(OnnxNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var index = IndexOfNode(node);
        _nodes.RemoveAt(index);
        node.Graph = null;
        Invalidate();
    }

    /// <summary>Replaces <paramref name="node"/> with <paramref name="replacements"/> at the same position.</summary>
    public void ReplaceNode(OnnxNode node, params OnnxNode[] replacements)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(replacements);
        var index = IndexOfNode(node);
        _nodes.RemoveAt(index);
        node.Graph = null;
        for (var i = 0; i < replacements.Length; i++)
        {
            AttachNode(index + i, replacements[i]);
        }

        Invalidate();
    }

    /// <summary>Adds an initializer; its name must be new (MC1016).</summary>
    public void AddInitializer(OnnxTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!_initializers.TryAdd(tensor.Name, tensor))
        {
            throw OnnxErrors.Create("MC1016", null, tensor.Name, Name);
        }

        Invalidate();
    }

    /// <summary>Adds or replaces (in place, keeping file order) the initializer named <paramref name="tensor"/>.Name.</summary>
    public void SetInitializer(OnnxTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        _initializers[tensor.Name] = tensor;
        Invalidate();
    }

    /// <summary>
    /// Removes the initializer named <paramref name="name"/> and a graph input of the same name (IR &lt; 4 models list
    /// initializers as inputs too). Returns whether there was one.
    /// </summary>
    public bool RemoveInitializer(string name)
    {
        if (!_initializers.Remove(name))
        {
            return false;
        }

        RemoveAll(Inputs, v => v.Name == name);
        Invalidate();
        return true;
    }

    /// <summary>Adds a graph input (MC1016 when a value of that name is already defined here).</summary>
    public OnnxValueInfo AddInput(OnnxValueInfo input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (IsGraphInput(input.Name) || Index.Producers.ContainsKey(input.Name))
        {
            throw OnnxErrors.Create("MC1016", null, input.Name, Name);
        }

        Inputs.Add(input);
        Invalidate();
        return input;
    }

    /// <summary>
    /// Makes <paramref name="value"/> a graph output (no-op if it already is), typed from what the graph declares
    /// about it. Calibration uses this to expose intermediate activations.
    /// </summary>
    public OnnxValueInfo AddOutput(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        if (Outputs.FirstOrDefault(o => o.Name == value) is { } existing)
        {
            return existing;
        }

        if (!IsVisible(value))
        {
            throw OnnxErrors.Create("MC1015", null, value, Name);
        }

        var info = GetValueInfo(value)?.Clone();
        if (info is null)
        {
            var type = GetElementType(value);
            info = new OnnxValueInfo(new Proto.ValueInfoProto { Name = value });
            if (type != TensorDataType.Undefined)
            {
                info.ElementType = type;
                info.Shape = GetShape(value);
            }
        }

        Outputs.Add(info);
        Invalidate();
        return info;
    }

    /// <summary>Adds or replaces the value_info entry for <paramref name="info"/>.Name.</summary>
    public void SetValueInfo(OnnxValueInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        RemoveAll(ValueInfos, v => v.Name == info.Name);
        ValueInfos.Add(info);
    }

    /// <summary>
    /// A name not used anywhere in the main graph or its subgraphs (values, nodes, initializers): <paramref name="prefix"/>
    /// itself if free, else <c>prefix_1</c>, <c>prefix_2</c>, ... The name is reserved, so repeated calls never return
    /// the same name even before it is used.
    /// </summary>
    public string UniqueName(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        var root = Root;
        var used = root._usedNames ??= root.CollectNames();
        var candidate = prefix;
        for (var i = 1; used.Contains(candidate) || root._reservedNames.Contains(candidate); i++)
        {
            candidate = FormattableString.Invariant($"{prefix}_{i}");
        }

        root._reservedNames.Add(candidate);
        return candidate;
    }

    /// <summary>Reorders <see cref="Nodes"/> topologically (stable; MC1022 on a cycle).</summary>
    public void SortTopologically()
    {
        var order = TopologicalOrder();
        _nodes.Clear();
        _nodes.AddRange(order);
        Invalidate();
    }

    internal void AttachNode(int index, OnnxNode node)
    {
        if (node.Graph is not null)
        {
            throw new InvalidOperationException($"Node '{node.Name}' already belongs to graph '{node.Graph.Name}'; remove or clone it first.");
        }

        node.Graph = this;
        _nodes.Insert(index, node);
        Invalidate();
    }

    private int IndexOfNode(OnnxNode node)
    {
        var index = node.Graph == this ? _nodes.IndexOf(node) : -1;
        return index >= 0 ? index : throw OnnxErrors.Create("MC1017", null, node.Name, node.OpType, Name);
    }

    private HashSet<string> CollectNames()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var g in AllGraphsRecursive())
        {
            names.UnionWith(g._initializers.Keys);
            names.UnionWith(g.Inputs.Select(v => v.Name));
            names.UnionWith(g.Outputs.Select(v => v.Name));
            names.UnionWith(g.ValueInfos.Select(v => v.Name));
            foreach (var n in g._nodes)
            {
                names.Add(n.Name);
                names.UnionWith(n.Inputs);
                names.UnionWith(n.Outputs);
            }
        }

        return names;
    }

    private static int RemoveAll<T>(IList<T> list, Func<T, bool> match)
    {
        var removed = 0;
        for (var i = list.Count - 1; i >= 0; i--)
        {
            if (match(list[i]))
            {
                list.RemoveAt(i);
                removed++;
            }
        }

        return removed;
    }
}
