namespace ModelCompress.Verification;

/// <summary>
/// How closely the compressed model follows the fp32 model on the verify data, measured on one graph output: the
/// primary output (the first compared), with the other compared outputs' metrics in <see cref="OtherOutputs"/>.
/// A "row" is one vector along the output's last axis (one prediction: a class score vector, or one token's logits).
/// </summary>
/// <param name="Samples">Samples run through both models.</param>
/// <param name="Rows">Predictions compared (rows of the last axis over all samples).</param>
/// <param name="Output">The output compared.</param>
/// <param name="Top1Agreement">Fraction of rows whose arg-max is the same in both models.</param>
/// <param name="Cosine">Mean over samples of the cosine similarity of the flattened outputs.</param>
/// <param name="MinCosine">Smallest per-sample cosine similarity.</param>
/// <param name="MaxAbsError">Largest |fp32 − compressed| over all output elements.</param>
/// <param name="MeanAbsError">Mean |fp32 − compressed| over all output elements.</param>
/// <param name="ReferenceAccuracy">Top-1 accuracy of the fp32 model against the labels, when labels were given.</param>
/// <param name="Accuracy">Top-1 accuracy of the compressed model against the labels, when labels were given.</param>
/// <param name="SnrDb">Signal-to-noise ratio 10·log10(Σy² / Σ(y − ŷ)²) over all output elements, in dB (+∞ when equal).</param>
/// <param name="ReferencePerplexity">The fp32 model's next-token perplexity, on text data.</param>
/// <param name="Perplexity">The compressed model's next-token perplexity, on text data.</param>
public sealed record VerificationMetrics(
    long Samples,
    long Rows,
    string Output,
    double Top1Agreement,
    double Cosine,
    double MinCosine,
    double MaxAbsError,
    double MeanAbsError,
    double? ReferenceAccuracy,
    double? Accuracy,
    double SnrDb,
    double? ReferencePerplexity = null,
    double? Perplexity = null)
{
    /// <summary>Reference accuracy minus compressed accuracy, when labels were given.</summary>
    public double? AccuracyDrop => ReferenceAccuracy - Accuracy;

    /// <summary>The metrics of every other output compared (labels and perplexity apply to the primary output only).</summary>
    public IReadOnlyList<VerificationMetrics> OtherOutputs { get; init; } = [];

    /// <summary>Every output compared, the primary first.</summary>
    public IEnumerable<VerificationMetrics> AllOutputs() => [this, .. OtherOutputs];

    /// <summary>Equal values, the other outputs' metrics compared element by element.</summary>
    public bool Equals(VerificationMetrics? other) =>
        other is not null
        && (Samples, Rows, Output, Top1Agreement, Cosine, MinCosine, MaxAbsError, MeanAbsError) ==
           (other.Samples, other.Rows, other.Output, other.Top1Agreement, other.Cosine, other.MinCosine, other.MaxAbsError, other.MeanAbsError)
        && (ReferenceAccuracy, Accuracy, SnrDb, ReferencePerplexity, Perplexity) ==
           (other.ReferenceAccuracy, other.Accuracy, other.SnrDb, other.ReferencePerplexity, other.Perplexity)
        && OtherOutputs.SequenceEqual(other.OtherOutputs);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Samples, Rows, Output, Cosine, SnrDb, OtherOutputs.Count);
}
