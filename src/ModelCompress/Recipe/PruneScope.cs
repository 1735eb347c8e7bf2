namespace ModelCompress.Recipe;

/// <summary>Over which weights <c>prune:</c> ranks scores for unstructured pruning (<c>scope:</c>).</summary>
public enum PruneScope
{
    /// <summary>Each layer loses <c>sparsity</c> of its own weights (Wanda and PST: of each output row).</summary>
    Layer,

    /// <summary>One magnitude threshold over every included layer, so layers lose different fractions.</summary>
    Global,
}
