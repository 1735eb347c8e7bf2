namespace ModelCompress.Recipe;

/// <summary>When activations are quantized (<c>mode:</c>).</summary>
public enum QuantizeMode
{
    /// <summary>Activation ranges are fixed ahead of time from calibration data (needs <c>calibration:</c>).</summary>
    Static,

    /// <summary>Activation ranges are computed at run time, per inference.</summary>
    Dynamic,

    /// <summary>Only weights are quantized; activations stay float.</summary>
    WeightOnly,
}
