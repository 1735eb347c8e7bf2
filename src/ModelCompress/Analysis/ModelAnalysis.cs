namespace ModelCompress.Analysis;

/// <summary>
/// What <see cref="GraphAnalyzer"/> found in a model: every quantizable linear layer, and the groups of MatMul/Gemm
/// layers that share an input (SmoothQuant's unit of work). Conv layers are listed in <see cref="Layers"/> but are
/// not grouped: SmoothQuant targets transformer linear layers.
/// </summary>
/// <param name="Layers">The linear layers in graph order.</param>
/// <param name="Groups">MatMul/Gemm layers grouped by shared input, in graph order of their first member.</param>
/// <param name="Embeddings">Gather nodes reading a constant float table of rank 2 (token/position embeddings).</param>
public sealed record ModelAnalysis(
    IReadOnlyList<LinearLayer> Layers,
    IReadOnlyList<LayerGroup> Groups,
    IReadOnlyList<EmbeddingTable> Embeddings)
{
    /// <summary>
    /// Layers inside If/Loop/Scan subgraphs (nested ones too), in graph order, subgraph by subgraph. Kept apart from
    /// <see cref="Layers"/>: only passes that edit the layer's own graph (weight-only int8 and int4, dynamic int8)
    /// take them; a pass that needs the layer's input observed or the main graph rewired leaves them float.
    /// </summary>
    public IReadOnlyList<LinearLayer> SubgraphLayers { get; init; } = [];

    /// <summary>The constant W and R weights of LSTM, GRU and RNN ops, in the main graph and in subgraphs.</summary>
    public IReadOnlyList<RecurrentWeight> RecurrentWeights { get; init; } = [];

    /// <summary><see cref="Layers"/> followed by <see cref="SubgraphLayers"/>.</summary>
    public IEnumerable<LinearLayer> AllLayers => Layers.Concat(SubgraphLayers);

    /// <summary>The layer built on the node named <paramref name="nodeName"/>, or null.</summary>
    public LinearLayer? FindLayer(string nodeName) => Layers.FirstOrDefault(l => l.Node.Name == nodeName);

    /// <summary>The group holding <paramref name="layer"/>, or null (Conv layers are in none).</summary>
    public LayerGroup? GroupOf(LinearLayer layer) => Groups.FirstOrDefault(g => g.Layers.Contains(layer));
}
