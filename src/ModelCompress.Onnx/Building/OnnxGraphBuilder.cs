namespace ModelCompress.Onnx;

/// <summary>
/// Builds a graph in code: declare inputs, add initializers and nodes, declare outputs. <see cref="Op(string, string[])"/>
/// adds a node with a generated, unique output name and returns that name, so expressions chain naturally:
/// <code>var h = g.Op("Relu", g.Op("MatMul", "x", "w"));</code>
/// </summary>
public sealed class OnnxGraphBuilder
{
    /// <summary>Starts an empty graph named <paramref name="name"/>.</summary>
    public OnnxGraphBuilder(string name = "main") => Graph = new OnnxGraph(name);

    /// <summary>The graph being built (live; may be edited directly).</summary>
    public OnnxGraph Graph { get; }

    /// <summary>Declares a tensor input; axes may be numbers or symbolic names.</summary>
    public OnnxGraphBuilder Input(string name, TensorDataType type, params OnnxDimension[] shape)
    {
        Graph.AddInput(new OnnxValueInfo(name, type, shape));
        return this;
    }

    /// <summary>Declares a tensor output.</summary>
    public OnnxGraphBuilder Output(string name, TensorDataType type, params OnnxDimension[] shape)
    {
        Graph.Outputs.Add(new OnnxValueInfo(name, type, shape));
        return this;
    }

    /// <summary>Declares an output of unknown type and shape (ONNX Runtime infers them).</summary>
    public OnnxGraphBuilder Output(string name)
    {
        Graph.Outputs.Add(new OnnxValueInfo(new Proto.ValueInfoProto { Name = name }));
        return this;
    }

    /// <summary>Declares the type of an intermediate value (value_info).</summary>
    public OnnxGraphBuilder ValueInfo(string name, TensorDataType type, params OnnxDimension[] shape)
    {
        Graph.SetValueInfo(new OnnxValueInfo(name, type, shape));
        return this;
    }

    /// <summary>Adds an initializer and returns its name.</summary>
    public string Initializer(OnnxTensor tensor)
    {
        Graph.AddInitializer(tensor);
        return tensor.Name;
    }

    /// <summary>Adds a Float initializer and returns its name.</summary>
    public string Initializer(string name, ReadOnlySpan<long> dims, ReadOnlySpan<float> values) =>
        Initializer(OnnxTensor.FromFloats(name, dims, values));

    /// <summary>Adds an Int64 initializer and returns its name.</summary>
    public string InitializerInt64(string name, ReadOnlySpan<long> dims, ReadOnlySpan<long> values) =>
        Initializer(OnnxTensor.FromInt64(name, dims, values));

    /// <summary>Adds a node with the given inputs and outputs and returns it (set attributes on it fluently).</summary>
    public OnnxNode Node(string opType, string[] inputs, string[] outputs, string? name = null, string domain = "") =>
        Graph.AddNode(new OnnxNode(opType, inputs, outputs, name ?? Graph.UniqueName(opType), domain));

    /// <summary>Adds a one-output node with a generated output name and returns that name.</summary>
    public string Op(string opType, params string[] inputs) => Op(opType, inputs, configure: null);

    /// <summary>Adds a one-output node, lets <paramref name="configure"/> set attributes, and returns the output name.</summary>
    public string Op(string opType, string[] inputs, Action<OnnxNode>? configure, string? name = null, string domain = "")
    {
        var nodeName = name ?? Graph.UniqueName(opType);
        var output = Graph.UniqueName(nodeName + "_output");
        var node = Graph.AddNode(new OnnxNode(opType, inputs, [output], nodeName, domain));
        configure?.Invoke(node);
        return output;
    }

    /// <summary>The finished graph.</summary>
    public OnnxGraph Build() => Graph;
}
