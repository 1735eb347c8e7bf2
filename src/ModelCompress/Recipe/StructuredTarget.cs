namespace ModelCompress.Recipe;

/// <summary>Which structures <c>prune: { method: structured }</c> removes (<c>targets:</c>).</summary>
public enum StructuredTarget
{
    /// <summary>Hidden channels of an MLP: linear A (and a gate linear) → elementwise activation → linear B.</summary>
    Mlp,

    /// <summary>Attention heads: Q/K/V columns of a head, its rows of the output projection, and the head counts in Reshapes/Splits.</summary>
    Heads,

    /// <summary>Output channels of a Conv and the matching input channels of the Conv that reads them.</summary>
    Conv,
}
