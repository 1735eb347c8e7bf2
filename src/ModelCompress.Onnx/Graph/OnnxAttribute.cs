using Google.Protobuf;
using ModelCompress.Onnx.Internal;
using ModelCompress.Onnx.Proto;

namespace ModelCompress.Onnx;

/// <summary>
/// A named node attribute. The value is immutable except for graphs, which are live, editable subgraphs (If/Loop/Scan
/// bodies). Replace an attribute with <see cref="OnnxNode.SetAttribute(OnnxAttribute)"/>.
/// </summary>
public sealed class OnnxAttribute
{
    // Scalars, lists, sparse tensors and type protos stay in the proto; tensors and graphs are held as wrappers
    // (and cleared from the proto) so that edits to subgraphs are what gets saved.
    private readonly AttributeProto _proto;
    private readonly OnnxTensor[] _tensors;
    private readonly OnnxGraph[] _graphs;

    private OnnxAttribute(AttributeProto proto, OnnxTensor[] tensors, OnnxGraph[] graphs)
    {
        _proto = proto;
        _tensors = tensors;
        _graphs = graphs;
    }

    /// <summary>The attribute's name.</summary>
    public string Name => _proto.Name;

    /// <summary>The attribute's type.</summary>
    public OnnxAttributeType Type => (OnnxAttributeType)_proto.Type;

    /// <summary>For attributes of function bodies: the name of the caller's attribute this one refers to.</summary>
    public string? RefAttrName => _proto.HasRefAttrName ? _proto.RefAttrName : null;

    /// <summary>The documentation string.</summary>
    public string DocString => _proto.DocString;

    /// <summary>The value of an Int attribute.</summary>
    public long Int => _proto.I;

    /// <summary>The value of a Float attribute.</summary>
    public float Float => _proto.F;

    /// <summary>The value of a String attribute, decoded as UTF-8.</summary>
    public string String => _proto.S.ToStringUtf8();

    /// <summary>The raw bytes of a String attribute.</summary>
    public ReadOnlyMemory<byte> Bytes => _proto.S.Memory;

    /// <summary>The values of an Ints attribute.</summary>
    public IReadOnlyList<long> Ints => _proto.Ints;

    /// <summary>The values of a Floats attribute.</summary>
    public IReadOnlyList<float> Floats => _proto.Floats;

    /// <summary>The values of a Strings attribute, decoded as UTF-8.</summary>
    public IReadOnlyList<string> Strings => [.. _proto.Strings.Select(s => s.ToStringUtf8())];

    /// <summary>The value of a Tensor attribute.</summary>
    public OnnxTensor? Tensor => Type == OnnxAttributeType.Tensor && _tensors.Length == 1 ? _tensors[0] : null;

    /// <summary>The values of a Tensors attribute.</summary>
    public IReadOnlyList<OnnxTensor> Tensors => _tensors;

    /// <summary>The value of a Graph attribute (a live subgraph).</summary>
    public OnnxGraph? Graph => Type == OnnxAttributeType.Graph && _graphs.Length == 1 ? _graphs[0] : null;

    /// <summary>The values of a Graphs attribute (live subgraphs).</summary>
    public IReadOnlyList<OnnxGraph> Graphs => _graphs;

    /// <summary>An Int attribute.</summary>
    public static OnnxAttribute Create(string name, long value) => Scalar(name, OnnxAttributeType.Int, p => p.I = value);

    /// <summary>A Float attribute.</summary>
    public static OnnxAttribute Create(string name, float value) => Scalar(name, OnnxAttributeType.Float, p => p.F = value);

    /// <summary>A String attribute (UTF-8).</summary>
    public static OnnxAttribute Create(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Scalar(name, OnnxAttributeType.String, p => p.S = ByteString.CopyFromUtf8(value));
    }

    /// <summary>An Ints attribute.</summary>
    public static OnnxAttribute Create(string name, IEnumerable<long> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return Scalar(name, OnnxAttributeType.Ints, p => p.Ints.AddRange(values));
    }

    /// <summary>A Floats attribute.</summary>
    public static OnnxAttribute Create(string name, IEnumerable<float> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return Scalar(name, OnnxAttributeType.Floats, p => p.Floats.AddRange(values));
    }

    /// <summary>A Strings attribute (UTF-8).</summary>
    public static OnnxAttribute Create(string name, IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return Scalar(name, OnnxAttributeType.Strings, p => p.Strings.AddRange(values.Select(ByteString.CopyFromUtf8)));
    }

    /// <summary>A Tensor attribute.</summary>
    public static OnnxAttribute Create(string name, OnnxTensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new OnnxAttribute(NewProto(name, OnnxAttributeType.Tensor), [value], []);
    }

    /// <summary>A Graph attribute. The graph becomes a subgraph of the node the attribute is set on.</summary>
    public static OnnxAttribute Create(string name, OnnxGraph value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new OnnxAttribute(NewProto(name, OnnxAttributeType.Graph), [], [value]);
    }

    /// <summary>A Tensors attribute.</summary>
    public static OnnxAttribute Create(string name, IEnumerable<OnnxTensor> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new OnnxAttribute(NewProto(name, OnnxAttributeType.Tensors), [.. values], []);
    }

    /// <summary>A Graphs attribute.</summary>
    public static OnnxAttribute Create(string name, IEnumerable<OnnxGraph> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new OnnxAttribute(NewProto(name, OnnxAttributeType.Graphs), [], [.. values]);
    }

    /// <inheritdoc />
    public override string ToString() => Type switch
    {
        OnnxAttributeType.Int => $"{Name}={Int}",
        OnnxAttributeType.Float => FormattableString.Invariant($"{Name}={Float}"),
        OnnxAttributeType.String => $"{Name}=\"{String}\"",
        OnnxAttributeType.Ints => $"{Name}=[{string.Join(",", Ints)}]",
        OnnxAttributeType.Floats => FormattableString.Invariant($"{Name}=[{string.Join(",", Floats)}]"),
        _ => $"{Name}:{Type}",
    };

    /// <summary>A deep copy (subgraphs are cloned; tensors are immutable and shared).</summary>
    internal OnnxAttribute Clone() => new(_proto.Clone(), _tensors, [.. _graphs.Select(g => g.Clone())]);

    internal static OnnxAttribute FromProto(AttributeProto proto, ProtoReadContext context)
    {
        if (!proto.HasType || proto.Type == AttributeProto.Types.AttributeType.Undefined)
        {
            // IR version 1 files carry no type; the one value field present tells it.
            proto.Type = InferType(proto);
        }

        var tensors = proto.Type switch
        {
            AttributeProto.Types.AttributeType.Tensor when proto.T is not null => new[] { context.Tensor(proto.T) },
            AttributeProto.Types.AttributeType.Tensors => [.. proto.Tensors.Select(context.Tensor)],
            _ => [],
        };
        var graphs = proto.Type switch
        {
            AttributeProto.Types.AttributeType.Graph when proto.G is not null => new[] { OnnxGraph.FromProto(proto.G, context) },
            AttributeProto.Types.AttributeType.Graphs => [.. proto.Graphs.Select(g => OnnxGraph.FromProto(g, context))],
            _ => [],
        };
        proto.T = null;
        proto.Tensors.Clear();
        proto.G = null;
        proto.Graphs.Clear();
        return new OnnxAttribute(proto, tensors, graphs);
    }

    internal AttributeProto ToProto(TensorProtoWriter writer)
    {
        var p = _proto.Clone();
        switch (Type)
        {
            case OnnxAttributeType.Tensor when _tensors.Length == 1:
                p.T = writer.Write(_tensors[0], isInitializer: false);
                break;
            case OnnxAttributeType.Tensors:
                p.Tensors.AddRange(_tensors.Select(t => writer.Write(t, isInitializer: false)));
                break;
            case OnnxAttributeType.Graph when _graphs.Length == 1:
                p.G = _graphs[0].ToProto(writer);
                break;
            case OnnxAttributeType.Graphs:
                p.Graphs.AddRange(_graphs.Select(g => g.ToProto(writer)));
                break;
            default:
                break;
        }

        return p;
    }

    private static AttributeProto.Types.AttributeType InferType(AttributeProto p) =>
        p.HasF ? AttributeProto.Types.AttributeType.Float
        : p.HasI ? AttributeProto.Types.AttributeType.Int
        : p.HasS ? AttributeProto.Types.AttributeType.String
        : p.T is not null ? AttributeProto.Types.AttributeType.Tensor
        : p.G is not null ? AttributeProto.Types.AttributeType.Graph
        : p.Floats.Count > 0 ? AttributeProto.Types.AttributeType.Floats
        : p.Ints.Count > 0 ? AttributeProto.Types.AttributeType.Ints
        : p.Strings.Count > 0 ? AttributeProto.Types.AttributeType.Strings
        : p.Tensors.Count > 0 ? AttributeProto.Types.AttributeType.Tensors
        : p.Graphs.Count > 0 ? AttributeProto.Types.AttributeType.Graphs
        : AttributeProto.Types.AttributeType.Undefined;

    private static AttributeProto NewProto(string name, OnnxAttributeType type)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new AttributeProto { Name = name, Type = (AttributeProto.Types.AttributeType)type };
    }

    private static OnnxAttribute Scalar(string name, OnnxAttributeType type, Action<AttributeProto> set)
    {
        var p = NewProto(name, type);
        set(p);
        return new OnnxAttribute(p, [], []);
    }
}
