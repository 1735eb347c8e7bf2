namespace ModelCompress.Recipe;

/// <summary>What a threshold measures, comparing the compressed model with its fp32 source.</summary>
public enum VerifyMetric
{
    /// <summary>Fraction of samples where both models pick the same top-1 class/token (bound: min).</summary>
    Top1Agreement,

    /// <summary>Fraction of samples classified as the labels say (bounds: min, max_drop); needs labels.</summary>
    Accuracy,

    /// <summary>Mean cosine similarity of the outputs (bound: min).</summary>
    Cosine,

    /// <summary>Largest |fp32 − compressed| over all outputs (bound: max).</summary>
    MaxAbsError,

    /// <summary>Mean |fp32 − compressed| (bound: max).</summary>
    MeanAbsError,

    /// <summary>Perplexity of a language model on text (bounds: max, max_increase); needs text data.</summary>
    Perplexity,

    /// <summary>Signal-to-noise ratio of the outputs in dB, 10·log10(Σy² / Σ(y − ŷ)²) (bound: min).</summary>
    SnrDb,
}
