using ModelCompress.Onnx.Internal;
using ModelCompress.Onnx.Proto;

namespace ModelCompress.Onnx;

/// <summary>
/// One operator invocation in a graph. Inputs and outputs are value names ("" = an omitted optional input);
/// edits to them are seen at once by the owning graph's queries.
/// </summary>
public sealed partial class OnnxNode
{
    // Name, op type, domain, inputs, outputs, doc string and anything this library does not model; attributes are
    // held separately (see OnnxAttribute) and put back when the node is written.
    private readonly NodeProto _proto;
    private readonly List<OnnxAttribute> _attributes = [];
    private readonly ValueNameList _inputs;
    private readonly ValueNameList _outputs;

    /// <summary>Creates a node of <paramref name="opType"/> (domain "" is the default ONNX operator set).</summary>
    public OnnxNode(string opType, IEnumerable<string> inputs, IEnumerable<string> outputs, string? name = null, string domain = "")
        : this(new NodeProto { OpType = opType ?? throw new ArgumentNullException(nameof(opType)) })
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        _proto.Input.AddRange(inputs);
        _proto.Output.AddRange(outputs);
        if (!string.IsNullOrEmpty(name))
        {
            _proto.Name = name;
        }

        if (!string.IsNullOrEmpty(domain))
        {
            _proto.Domain = domain;
        }
    }

    private OnnxNode(NodeProto proto)
    {
        _proto = proto;
        _inputs = new ValueNameList(proto.Input, Touch);
        _outputs = new ValueNameList(proto.Output, Touch);
    }

    /// <summary>The graph this node belongs to (null while detached).</summary>
    public OnnxGraph? Graph { get; internal set; }

    /// <summary>The node's name (may be empty; names are not required to be unique by the IR).</summary>
    public string Name
    {
        get => _proto.Name;
        set
        {
            _proto.Name = value ?? string.Empty;
            Touch();
        }
    }

    /// <summary>The operator, e.g. <c>MatMul</c>.</summary>
    public string OpType
    {
        get => _proto.OpType;
        set
        {
            _proto.OpType = value ?? throw new ArgumentNullException(nameof(value));
            Touch();
        }
    }

    /// <summary>The operator set domain ("" for the default ONNX domain, e.g. <c>com.microsoft</c> otherwise).</summary>
    public string Domain
    {
        get => _proto.Domain;
        set
        {
            _proto.Domain = value ?? string.Empty;
            Touch();
        }
    }

    /// <summary>The documentation string.</summary>
    public string DocString
    {
        get => _proto.DocString;
        set => _proto.DocString = value ?? string.Empty;
    }

    /// <summary>Input value names in order; "" marks an omitted optional input.</summary>
    public IList<string> Inputs => _inputs;

    /// <summary>Output value names in order; "" marks an omitted optional output.</summary>
    public IList<string> Outputs => _outputs;

    /// <summary>The attributes in order.</summary>
    public IReadOnlyList<OnnxAttribute> Attributes => _attributes;

    /// <summary>The graphs held in Graph/Graphs attributes (If branches, Loop and Scan bodies).</summary>
    public IEnumerable<OnnxGraph> Subgraphs => _attributes.SelectMany(a => a.Graphs);

    /// <summary>Whether the node is in the default ONNX domain ("" or "ai.onnx").</summary>
    public bool IsDefaultDomain => OnnxModel.IsDefaultDomain(Domain);

    /// <summary>A deep copy, detached from any graph (subgraphs are cloned too).</summary>
    public OnnxNode Clone()
    {
        var copy = new OnnxNode(_proto.Clone());
        foreach (var a in _attributes)
        {
            copy.AttachAttribute(a.Clone());
        }

        return copy;
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{(string.IsNullOrEmpty(Name) ? "<unnamed>" : Name)} ({(string.IsNullOrEmpty(Domain) ? "" : Domain + ".")}{OpType}): " +
        $"[{string.Join(", ", _proto.Input)}] -> [{string.Join(", ", _proto.Output)}]";

    internal static OnnxNode FromProto(NodeProto proto, ProtoReadContext context)
    {
        var attributes = proto.Attribute.Select(a => OnnxAttribute.FromProto(a, context)).ToList();
        proto.Attribute.Clear();
        var node = new OnnxNode(proto);
        foreach (var a in attributes)
        {
            node.AttachAttribute(a);
        }

        return node;
    }

    internal NodeProto ToProto(TensorProtoWriter writer)
    {
        var p = _proto.Clone();
        p.Attribute.AddRange(_attributes.Select(a => a.ToProto(writer)));
        return p;
    }

    /// <summary>Tells the owning graph (and its ancestors) that its structure changed.</summary>
    internal void Touch() => Graph?.Invalidate();
}
