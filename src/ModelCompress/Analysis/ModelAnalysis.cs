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
    /// <summary>The layer built on the node named <paramref name="nodeName"/>, or null.</summary>
    public LinearLayer? FindLayer(string nodeName) => Layers.FirstOrDefault(l => l.Node.Name == nodeName);

    /// <summary>The group holding <paramref name="layer"/>, or null (Conv layers are in none).</summary>
    public LayerGroup? GroupOf(LinearLayer layer) => Groups.FirstOrDefault(g => g.Layers.Contains(layer));
}
