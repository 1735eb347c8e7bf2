namespace ModelCompress.Recipe;

/// <summary>How <c>share:</c> lets weights share storage (<c>method:</c>).</summary>
public enum ShareMethod
{
    /// <summary>Weights of a layer are clustered (k-means) into <c>clusters</c> shared values.</summary>
    Cluster,

    /// <summary>Each weight matrix is replaced by a truncated SVD, W ≈ U·V, of <c>rank</c> or <c>energy</c>.</summary>
    LowRank,
}
