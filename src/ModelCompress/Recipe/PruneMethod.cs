namespace ModelCompress.Recipe;

/// <summary>How <c>prune:</c> chooses the weights to remove (<c>method:</c>).</summary>
public enum PruneMethod
{
    /// <summary>Smallest |W| first (unstructured, or N:M with a pattern).</summary>
    Magnitude,

    /// <summary>N:M semi-structured by magnitude; needs <c>pattern</c>.</summary>
    NM,

    /// <summary>|W|·‖X‖ scores per output (Sun et al., 2023, "Wanda"); needs calibration data.</summary>
    Wanda,

    /// <summary>Second-order reconstruction (Frantar and Alistarh, 2023, "SparseGPT"); needs calibration data.</summary>
    SparseGpt,

    /// <summary>Whole output channels/neurons removed by norm.</summary>
    Structured,

    /// <summary>
    /// PST importance (Li et al., 2022, "Parameter-Efficient Sparsity"): |W| plus a fitted low-rank term A·B and row and
    /// column terms; needs calibration data.
    /// </summary>
    Pst,
}
