using ModelCompress.Onnx;

namespace ModelCompress.Analysis;

/// <summary>
/// The one layer model: the linear layers of a model (main graph and, apart, If/Loop/Scan subgraphs) that every pass, <c>inspect</c>, <c>init</c> and the
/// verification work on — MatMul with a constant float weight of rank ≥ 2, Gemm with a constant 2-D float B (transB
/// or not), Conv with a constant float kernel; constants may be initializers, Constant nodes, or Identity, Reshape,
/// Flatten or Transpose of those (<see cref="ConstantValues"/>) — the op feeding each, and the groups of layers that read the same activation. MatMuls of two activations
/// (attention scores, attention-weighted values) are not layers: there is no weight to quantize ahead of time.
/// </summary>
public static partial class GraphAnalyzer
{
    /// <summary>The smallest Gather table reported as an embedding; smaller constants are shape plumbing.</summary>
    public const int MinEmbeddingElements = 1024;

    /// <summary>
    /// Analyzes <paramref name="model"/>: the main graph's layers, groups and embeddings, and apart from them the
    /// layers inside If/Loop/Scan subgraphs (nested too) and the constant weights of LSTM/GRU/RNN ops anywhere.
    /// </summary>
    public static ModelAnalysis Analyze(OnnxModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = model.Graph;
        var order = graph.TopologicalOrder();
        var layers = new List<LinearLayer>();
        var embeddings = new List<EmbeddingTable>();
        foreach (var node in order)
        {
            if (!node.IsDefaultDomain)
            {
                continue;
            }

            if (TryLinear(graph, node) is { } layer)
            {
                layers.Add(layer);
            }
            else if (TryEmbedding(graph, node) is { } table)
            {
                embeddings.Add(table);
            }
        }

        var (subgraphLayers, recurrent) = AnalyzeNested(graph);

        var groups = new List<LayerGroup>();
        foreach (var byInput in layers.Where(l => l.Kind != LinearLayerKind.Conv && !l.IsBatched).GroupBy(l => l.InputName, StringComparer.Ordinal))
        {
            var members = byInput.ToList();
            groups.Add(new LayerGroup(byInput.Key, members, FindAnchor(graph, byInput.Key, members, layers)));
        }

        return new ModelAnalysis(layers, groups, embeddings) { SubgraphLayers = subgraphLayers, RecurrentWeights = recurrent };
    }

    private static LinearLayer? TryLinear(OnnxGraph graph, OnnxNode node)
    {
        if (node.OpType is not ("MatMul" or "Gemm" or "Conv") || node.Inputs.Count < 2 || node.Inputs[0].Length == 0
            || node.Inputs[1].Length == 0 || ConstantValues.TryGet(graph, node.Inputs[0], out _))
        {
            return null;
        }

        if (!ConstantValues.TryGet(graph, node.Inputs[1], out var weight) || weight.DataType != TensorDataType.Float || weight.ElementCount == 0)
        {
            return null;
        }

        var fromConstant = !ConstantValues.OwnerOf(graph, node.Inputs[1]).Initializers.ContainsKey(node.Inputs[1]);
        var dims = weight.Dims;
        switch (node.OpType)
        {
            case "MatMul" when dims.Length == 2:
            {
                var (biasName, biasAdd) = FindBiasAdd(graph, node, dims[1]);
                return new LinearLayer(node, LinearLayerKind.MatMul, weight, (int)dims[0], (int)dims[1], false, biasName, biasAdd, fromConstant);
            }

            case "MatMul" when dims.Length > 2:
                // A stack of [K, N] matrices (ONNX MatMul broadcasts the leading axes): weight-only and dynamic int8 can
                // quantize it per output column; smoothing and static QDQ, which treat the weight as one [K, N]
                // matrix, leave it alone (LinearLayer.IsBatched).
                return new LinearLayer(node, LinearLayerKind.MatMul, weight, (int)dims[^2], (int)dims[^1], false, null, null, fromConstant);

            case "Gemm" when dims.Length == 2 && node.GetInt("transA", 0) == 0:
            {
                var transB = node.GetInt("transB", 0) != 0;
                var (k, n) = transB ? (dims[1], dims[0]) : (dims[0], dims[1]);
                var bias = node.Inputs.Count > 2 && node.Inputs[2].Length > 0 && ConstantValues.TryGet(graph, node.Inputs[2], out var c) && c.ElementCount == n
                    ? node.Inputs[2]
                    : null;
                return new LinearLayer(node, LinearLayerKind.Gemm, weight, (int)k, (int)n, transB, bias, null, fromConstant,
                    node.GetFloat("alpha", 1f), node.GetFloat("beta", 1f));
            }

            case "Conv" when dims.Length >= 3:
            {
                var group = (int)node.GetInt("group", 1);
                var bias = node.Inputs.Count > 2 && node.Inputs[2].Length > 0 ? node.Inputs[2] : null;
                return new LinearLayer(node, LinearLayerKind.Conv, weight, (int)dims[1] * group, (int)dims[0], false, bias, null, fromConstant);
            }

            default:
                return null;
        }
    }

    /// <summary>The Add that alone consumes a MatMul's product and adds a constant per-column vector (the Linear's bias).</summary>
    private static (string? Name, OnnxNode? Add) FindBiasAdd(OnnxGraph graph, OnnxNode matMul, long columns)
    {
        var product = matMul.Outputs[0];
        var consumers = graph.GetConsumers(product);
        if (consumers.Count != 1 || graph.IsGraphOutput(product) || consumers[0] is not { OpType: "Add", IsDefaultDomain: true } add
            || add.Inputs.Count != 2)
        {
            return (null, null);
        }

        var other = add.Inputs[0] == product ? add.Inputs[1] : add.Inputs[0];
        if (other == product || !ConstantValues.TryGet(graph, other, out var bias) || bias.DataType != TensorDataType.Float
            || bias.ElementCount != columns || bias.Dims.Length == 0 || bias.Dims[^1] != columns)
        {
            return (null, null);
        }

        return (other, add);
    }

    private static EmbeddingTable? TryEmbedding(OnnxGraph graph, OnnxNode node)
    {
        if (node.OpType != "Gather" || node.Inputs.Count != 2 || node.GetInt("axis", 0) != 0
            || !graph.TryGetWeight(node.Inputs[0], out var table) || table.DataType != TensorDataType.Float
            || table.Rank != 2 || table.ElementCount < MinEmbeddingElements || graph.IsConstant(node.Inputs[1]))
        {
            return null;
        }

        return new EmbeddingTable(node, table);
    }
}
