namespace ModelCompress.Onnx;

/// <summary>Builds a model: a graph (<see cref="Graph"/>), opset imports, and metadata.</summary>
public sealed class OnnxModelBuilder
{
    /// <summary>The default-domain opset used when none is given.</summary>
    public const long DefaultOpset = 17;

    private readonly List<(string Domain, long Version)> _opsets = [];
    private readonly List<KeyValuePair<string, string>> _metadata = [];
    private long _irVersion = OnnxModel.DefaultIrVersion;
    private string _producerName = "ModelCompress";
    private string _producerVersion = string.Empty;

    /// <summary>Starts a model whose main graph is named <paramref name="graphName"/>.</summary>
    public OnnxModelBuilder(string graphName = "main") => Graph = new OnnxGraphBuilder(graphName);

    /// <summary>The main graph's builder.</summary>
    public OnnxGraphBuilder Graph { get; }

    /// <summary>Imports <paramref name="domain"/> at <paramref name="version"/>.</summary>
    public OnnxModelBuilder Opset(string domain, long version)
    {
        _opsets.Add((domain, version));
        return this;
    }

    /// <summary>Imports the default ONNX domain at <paramref name="version"/>.</summary>
    public OnnxModelBuilder Opset(long version) => Opset(string.Empty, version);

    /// <summary>Sets the IR version (default <see cref="OnnxModel.DefaultIrVersion"/>).</summary>
    public OnnxModelBuilder IrVersion(long version)
    {
        _irVersion = version;
        return this;
    }

    /// <summary>Sets the producer name and version.</summary>
    public OnnxModelBuilder Producer(string name, string version = "")
    {
        _producerName = name;
        _producerVersion = version;
        return this;
    }

    /// <summary>Adds a metadata entry.</summary>
    public OnnxModelBuilder Metadata(string key, string value)
    {
        _metadata.Add(new(key, value));
        return this;
    }

    /// <summary>The model (the default domain is imported at <see cref="DefaultOpset"/> unless set).</summary>
    public OnnxModel Build()
    {
        var model = new OnnxModel(Graph.Build(), _irVersion) { ProducerName = _producerName, ProducerVersion = _producerVersion };
        if (!_opsets.Any(o => OnnxModel.IsDefaultDomain(o.Domain)))
        {
            model.SetOpsetImport(string.Empty, DefaultOpset);
        }

        foreach (var (domain, version) in _opsets)
        {
            model.SetOpsetImport(domain, version);
        }

        foreach (var (k, v) in _metadata)
        {
            model.MetadataProps[k] = v;
        }

        return model;
    }
}
