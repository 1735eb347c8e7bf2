namespace ModelCompress.Recipe;

/// <summary>
/// How SmoothQuant's automatic search combines the alphas found for the layers that share one smoothed input
/// (e.g. Q, K and V after one LayerNorm) into the single alpha that input can take (<c>combine:</c>).
/// </summary>
public enum AlphaCombine
{
    /// <summary>The mean of the layers' best alphas.</summary>
    Mean,

    /// <summary>The smallest (favours the weights).</summary>
    Min,

    /// <summary>The largest (favours the activations).</summary>
    Max,
}
