namespace ModelCompress.Recipe;

/// <summary>In which order <c>on_regression: fallback</c> puts layers back to float (<c>fallback_order:</c>).</summary>
public enum FallbackOrder
{
    /// <summary>Worst per-layer output SNR first (the gate's per-layer ranking).</summary>
    Snr,

    /// <summary>
    /// Worst end-to-end gate margin first, each layer measured alone in int8 (every other ranked layer in float) on the
    /// verify data: what the thresholds themselves see, at the cost of one more build and verification per layer.
    /// </summary>
    Sensitivity,
}
