namespace ModelCompress.Benchmarks;

/// <summary>One model's language-model scores (see <see cref="EvalLanguageModel"/>).</summary>
/// <param name="Perplexity">exp(mean NLL) per token (per byte for char-gpt).</param>
/// <param name="Top1">Fraction of positions whose argmax is the next token.</param>
/// <param name="Agreement">Fraction of positions whose argmax equals the fp32 model's; null for fp32 itself.</param>
/// <param name="Argmax">The argmax at every scored position (the reference for agreement).</param>
internal sealed record EvalLmResult(double Perplexity, double Top1, double? Agreement, int[] Argmax);
