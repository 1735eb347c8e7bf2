namespace ModelCompress.Reports;

/// <summary>
/// The op-by-op fallback of <c>on_regression: fallback</c> (Intel Neural Compressor's accuracy-driven tuning): the
/// worst layers by per-layer SNR were kept in float one more at a time until the thresholds held or
/// <c>max_fallback_layers</c> was reached.
/// </summary>
/// <param name="FloatLayers">The layers the final model keeps in float, worst first.</param>
/// <param name="Attempts">Every model tried after the first, in order.</param>
/// <param name="Passed">Whether the last attempt met every threshold.</param>
public sealed record FallbackReport(IReadOnlyList<string> FloatLayers, IReadOnlyList<FallbackAttempt> Attempts, bool Passed);
