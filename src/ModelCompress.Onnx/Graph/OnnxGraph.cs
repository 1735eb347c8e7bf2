using ModelCompress.Onnx.Internal;
using ModelCompress.Onnx.Proto;

namespace ModelCompress.Onnx;

/// <summary>
/// A computation graph: nodes (normally in topological order), initializers (constant tensors by name), and the
/// declared inputs, outputs and intermediate value types. Also used for subgraphs (If/Loop/Scan bodies), which may
/// read values of the enclosing graphs by name. Queries (<see cref="GetProducer"/>, <see cref="GetConsumers"/>, ...)
/// use an index that every edit invalidates, so they always see the current graph.
/// </summary>
public sealed partial class OnnxGraph
{
    // Name, doc string, sparse initializers, quantization annotations, metadata and unknown fields: written back as is.
    private readonly GraphProto _rest;
    private readonly List<OnnxNode> _nodes = [];
    private readonly OrderedDictionary<string, OnnxTensor> _initializers = new(StringComparer.Ordinal);

    /// <summary>Creates an empty graph.</summary>
    public OnnxGraph(string name = "main")
        : this(new GraphProto { Name = name ?? string.Empty })
    {
    }

    private OnnxGraph(GraphProto rest)
    {
        _rest = rest;
        Inputs = new ValueInfoList(Invalidate);
        Outputs = new ValueInfoList(Invalidate);
        ValueInfos = new ValueInfoList(Invalidate);
    }

    /// <summary>The graph's name.</summary>
    public string Name
    {
        get => _rest.Name;
        set => _rest.Name = value ?? string.Empty;
    }

    /// <summary>The documentation string.</summary>
    public string DocString
    {
        get => _rest.DocString;
        set => _rest.DocString = value ?? string.Empty;
    }

    /// <summary>The nodes in their stored order. Edit through <see cref="AddNode(OnnxNode)"/>, <see cref="RemoveNode"/>, ...</summary>
    public IReadOnlyList<OnnxNode> Nodes => _nodes;

    /// <summary>The graph inputs (for IR version &lt; 4 models this also lists initializers).</summary>
    public IList<OnnxValueInfo> Inputs { get; }

    /// <summary>The graph outputs.</summary>
    public IList<OnnxValueInfo> Outputs { get; }

    /// <summary>Declared types of intermediate values (value_info).</summary>
    public IList<OnnxValueInfo> ValueInfos { get; }

    /// <summary>Initializers by name, in file order. Edit through <see cref="SetInitializer"/> and friends.</summary>
    public IReadOnlyDictionary<string, OnnxTensor> Initializers => _initializers;

    /// <summary>For a subgraph, the node whose attribute holds it; null for a main graph.</summary>
    public OnnxNode? ParentNode { get; internal set; }

    /// <summary>For a subgraph, the graph that holds its parent node; null for a main graph.</summary>
    public OnnxGraph? ParentGraph => ParentNode?.Graph;

    /// <summary>The main graph this graph belongs to (itself for a main graph).</summary>
    public OnnxGraph Root
    {
        get
        {
            var g = this;
            while (g.ParentGraph is { } parent)
            {
                g = parent;
            }

            return g;
        }
    }

    /// <summary>Names of the sparse initializers (kept and written back as loaded; not editable here).</summary>
    public IReadOnlyList<string> SparseInitializerNames =>
        [.. _rest.SparseInitializer.Select(s => s.Values?.Name ?? string.Empty).Where(n => n.Length > 0)];

    /// <summary>
    /// A deep copy: nodes, value infos and subgraphs are new objects; tensors are immutable and shared. The copy is
    /// detached (no parent node).
    /// </summary>
    public OnnxGraph Clone()
    {
        var copy = new OnnxGraph(_rest.Clone());
        foreach (var n in _nodes)
        {
            copy.AddNode(n.Clone());
        }

        foreach (var (k, v) in _initializers)
        {
            copy._initializers.Add(k, v);
        }

        CopyInfos(Inputs, copy.Inputs);
        CopyInfos(Outputs, copy.Outputs);
        CopyInfos(ValueInfos, copy.ValueInfos);
        return copy;
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"graph '{Name}': {_nodes.Count} nodes, {_initializers.Count} initializers, {Inputs.Count} inputs, {Outputs.Count} outputs";

    internal static OnnxGraph FromProto(GraphProto proto, ProtoReadContext context)
    {
        var nodes = proto.Node.Select(n => OnnxNode.FromProto(n, context)).ToList();
        var initializers = proto.Initializer.Select(context.Tensor).ToList();
        var inputs = proto.Input.ToList();
        var outputs = proto.Output.ToList();
        var infos = proto.ValueInfo.ToList();
        proto.Node.Clear();
        proto.Initializer.Clear();
        proto.Input.Clear();
        proto.Output.Clear();
        proto.ValueInfo.Clear();

        var graph = new OnnxGraph(proto);
        foreach (var n in nodes)
        {
            graph.AttachNode(graph._nodes.Count, n);
        }

        foreach (var t in initializers)
        {
            // Duplicate initializer names are invalid ONNX; the last one wins, as in ONNX Runtime.
            graph._initializers[t.Name] = t;
        }

        foreach (var i in inputs)
        {
            graph.Inputs.Add(new OnnxValueInfo(i));
        }

        foreach (var o in outputs)
        {
            graph.Outputs.Add(new OnnxValueInfo(o));
        }

        foreach (var v in infos)
        {
            graph.ValueInfos.Add(new OnnxValueInfo(v));
        }

        return graph;
    }

    internal GraphProto ToProto(TensorProtoWriter writer)
    {
        var p = _rest.Clone();
        p.Node.AddRange(_nodes.Select(n => n.ToProto(writer)));
        p.Initializer.AddRange(_initializers.Values.Select(t => writer.Write(t, isInitializer: true)));
        p.Input.AddRange(Inputs.Select(v => v.Proto.Clone()));
        p.Output.AddRange(Outputs.Select(v => v.Proto.Clone()));
        p.ValueInfo.AddRange(ValueInfos.Select(v => v.Proto.Clone()));
        return p;
    }

    /// <summary>Every tensor held by this graph and its subgraphs: initializers and tensor attributes.</summary>
    internal IEnumerable<OnnxTensor> AllTensorsRecursive()
    {
        foreach (var t in _initializers.Values)
        {
            yield return t;
        }

        foreach (var n in _nodes)
        {
            foreach (var a in n.Attributes)
            {
                foreach (var t in a.Tensors)
                {
                    yield return t;
                }

                foreach (var g in a.Graphs)
                {
                    foreach (var t in g.AllTensorsRecursive())
                    {
                        yield return t;
                    }
                }
            }
        }
    }

    private static void CopyInfos(IList<OnnxValueInfo> from, IList<OnnxValueInfo> to)
    {
        foreach (var v in from)
        {
            to.Add(v.Clone());
        }
    }
}
