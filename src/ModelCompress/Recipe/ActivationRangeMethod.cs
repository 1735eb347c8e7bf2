namespace ModelCompress.Recipe;

/// <summary>How static quantization picks each activation's range from calibration data (<c>method:</c>).</summary>
public enum ActivationRangeMethod
{
    /// <summary>The observed minimum and maximum.</summary>
    MinMax,

    /// <summary>The given percentile of |x| (clips rare outliers).</summary>
    Percentile,

    /// <summary>The range minimizing the KL divergence between float and quantized histograms.</summary>
    Entropy,
}
