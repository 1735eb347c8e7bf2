namespace ModelCompress.Analysis;

/// <summary>
/// The linear layers that read one activation (Q, K and V after one norm; gate and up in a gated MLP). SmoothQuant
/// divides that activation by one vector s, so the layers share it: s is computed from the activation's
/// per-channel maxima and the maxima over all the group's weights, and every member's weight rows are multiplied by it.
/// </summary>
/// <param name="Activation">The shared input value.</param>
/// <param name="Layers">The members, in graph order.</param>
/// <param name="Anchor">What produces <paramref name="Activation"/> and where 1/s can go.</param>
public sealed record LayerGroup(string Activation, IReadOnlyList<LinearLayer> Layers, SmoothingAnchor Anchor)
{
    /// <summary>The channel count of the shared activation.</summary>
    public int Channels => Layers[0].InFeatures;

    /// <summary>A display name: the members' names joined.</summary>
    public string Name => string.Join(" + ", Layers.Select(l => l.Name));
}
