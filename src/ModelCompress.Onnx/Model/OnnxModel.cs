using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Onnx.Proto;

namespace ModelCompress.Onnx;

/// <summary>
/// An ONNX model: the main <see cref="Graph"/>, the operator sets it imports, and model-level metadata. Load with
/// <see cref="Load(string, OnnxLoadOptions?)"/>, edit the graph, and <see cref="Save(string, OnnxSaveOptions?)"/>.
/// Anything this library does not model (functions, training info, fields of newer IR versions) is kept and written
/// back unchanged.
/// </summary>
public sealed partial class OnnxModel
{
    /// <summary>The IR version written by models built in code (ONNX 1.16+, read by ONNX Runtime 1.17+).</summary>
    public const long DefaultIrVersion = 10;

    // ir_version, producer, domain, doc string, functions, training info, unknown fields.
    private readonly ModelProto _rest;
    private readonly List<OperatorSetIdProto> _opsets;
    private readonly OrderedDictionary<string, string> _metadata;

    /// <summary>Creates a model around <paramref name="graph"/> with no opset imports (add them with <see cref="SetOpsetImport"/>).</summary>
    public OnnxModel(OnnxGraph graph, long irVersion = DefaultIrVersion)
        : this(new ModelProto { IrVersion = irVersion }, graph, [], new OrderedDictionary<string, string>(StringComparer.Ordinal))
    {
    }

    private OnnxModel(ModelProto rest, OnnxGraph graph, List<OperatorSetIdProto> opsets, OrderedDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(graph);
        _rest = rest;
        Graph = graph;
        _opsets = opsets;
        _metadata = metadata;
    }

    /// <summary>The main graph.</summary>
    public OnnxGraph Graph { get; set; }

    /// <summary>The IR version the model declares.</summary>
    public long IrVersion
    {
        get => _rest.IrVersion;
        set => _rest.IrVersion = value;
    }

    /// <summary>The tool that produced the model.</summary>
    public string ProducerName
    {
        get => _rest.ProducerName;
        set => _rest.ProducerName = value ?? string.Empty;
    }

    /// <summary>The producing tool's version.</summary>
    public string ProducerVersion
    {
        get => _rest.ProducerVersion;
        set => _rest.ProducerVersion = value ?? string.Empty;
    }

    /// <summary>The model's namespace (reverse-DNS), if any.</summary>
    public string Domain
    {
        get => _rest.Domain;
        set => _rest.Domain = value ?? string.Empty;
    }

    /// <summary>The model's own version number.</summary>
    public long ModelVersion
    {
        get => _rest.ModelVersion;
        set => _rest.ModelVersion = value;
    }

    /// <summary>The documentation string.</summary>
    public string DocString
    {
        get => _rest.DocString;
        set => _rest.DocString = value ?? string.Empty;
    }

    /// <summary>Model metadata (metadata_props), in file order.</summary>
    public IDictionary<string, string> MetadataProps => _metadata;

    /// <summary>Imported operator sets: domain ("" = default ONNX domain) to version.</summary>
    public IReadOnlyDictionary<string, long> OpsetImports =>
        _opsets.GroupBy(o => Normalize(o.Domain)).ToDictionary(g => g.Key, g => g.Last().Version, StringComparer.Ordinal);

    /// <summary>The number of model-local functions (kept and written back; not editable here).</summary>
    public int FunctionCount => _rest.Functions.Count;

    /// <summary>The full path the model was loaded from or last saved to; null for models built or read from memory.</summary>
    public string? FilePath { get; private set; }

    /// <summary>
    /// The full path and SHA-256 of the file this model was parsed from (all of its bytes, as read), or null for models
    /// not loaded from a file. Describes the file, not the model as edited since.
    /// </summary>
    internal (string Path, byte[] Sha256)? LoadedFile { get; private set; }

    /// <summary>The folder of <see cref="FilePath"/>; external data is resolved inside it.</summary>
    public string? Directory => FilePath is null ? null : Path.GetDirectoryName(FilePath);

    /// <summary>Whether <paramref name="domain"/> names the default ONNX operator set ("" or "ai.onnx").</summary>
    public static bool IsDefaultDomain(string? domain) => string.IsNullOrEmpty(domain) || domain == "ai.onnx";

    /// <summary>The imported version of <paramref name="domain"/> ("" or "ai.onnx" for the default set), or null.</summary>
    public long? GetOpsetVersion(string domain)
    {
        var d = Normalize(domain);
        var match = _opsets.LastOrDefault(o => Normalize(o.Domain) == d);
        return match?.Version;
    }

    /// <summary>Imports <paramref name="domain"/> at <paramref name="version"/>, replacing an existing import of it.</summary>
    public void SetOpsetImport(string domain, long version)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(version);
        var d = Normalize(domain);
        var existing = _opsets.FindIndex(o => Normalize(o.Domain) == d);
        var entry = new OperatorSetIdProto { Domain = d, Version = version };
        if (existing >= 0)
        {
            _opsets.RemoveAll(o => Normalize(o.Domain) == d);
            _opsets.Insert(Math.Min(existing, _opsets.Count), entry);
        }
        else
        {
            _opsets.Add(entry);
        }
    }

    /// <summary>Removes the import of <paramref name="domain"/>; returns whether there was one.</summary>
    public bool RemoveOpsetImport(string domain)
    {
        var d = Normalize(domain);
        return _opsets.RemoveAll(o => Normalize(o.Domain) == d) > 0;
    }

    /// <summary>Structural checks (see <see cref="OnnxValidator"/>).</summary>
    public IReadOnlyList<Diagnostic> Validate() => OnnxValidator.Validate(this);

    /// <summary>A deep copy (graphs and nodes are new; immutable tensors, including lazily read external ones, are shared).</summary>
    public OnnxModel Clone() =>
        new(_rest.Clone(), Graph.Clone(), [.. _opsets.Select(o => o.Clone())], new OrderedDictionary<string, string>(_metadata, StringComparer.Ordinal))
        {
            FilePath = FilePath,
        };

    /// <inheritdoc />
    public override string ToString() =>
        $"ONNX model (IR {IrVersion}, opsets {string.Join(", ", OpsetImports.Select(o => $"{(o.Key.Length == 0 ? "ai.onnx" : o.Key)}:{o.Value}"))}): {Graph}";

    private static string Normalize(string? domain) => IsDefaultDomain(domain) ? string.Empty : domain!;

    private static OnnxModel FromProto(ModelProto proto, Internal.ProtoReadContext context)
    {
        var graph = OnnxGraph.FromProto(proto.Graph, context);
        var opsets = proto.OpsetImport.ToList();
        var metadata = new OrderedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var e in proto.MetadataProps)
        {
            metadata[e.Key] = e.Value;
        }

        proto.Graph = null;
        proto.OpsetImport.Clear();
        proto.MetadataProps.Clear();
        return new OnnxModel(proto, graph, opsets, metadata) { FilePath = context.File };
    }

    private ModelProto ToProto(Internal.TensorProtoWriter writer)
    {
        var p = _rest.Clone();
        p.Graph = Graph.ToProto(writer);
        p.OpsetImport.AddRange(_opsets.Select(o => o.Clone()));
        p.MetadataProps.AddRange(_metadata.Select(kv => new StringStringEntryProto { Key = kv.Key, Value = kv.Value }));
        return p;
    }
}
