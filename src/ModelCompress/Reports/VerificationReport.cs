using ModelCompress.Verification;

namespace ModelCompress.Reports;

/// <summary>The accuracy check of one model.</summary>
/// <param name="Data">The verify data file, relative to the recipe folder.</param>
/// <param name="Metrics">The measured metrics (of the final model, after any fallback).</param>
/// <param name="Thresholds">Each bound of the recipe's thresholds with its verdict.</param>
/// <param name="Passed">Whether every bound held.</param>
/// <param name="Layers">
/// Per-layer damage of the int8 layers, worst first (lowest SNR), measured with the int8 kernel on the fully
/// quantized model; null when <c>per_layer: false</c>.
/// </param>
/// <param name="Fallback">What <c>on_regression: fallback</c> did, when it ran.</param>
public sealed record VerificationReport(
    string Data,
    VerificationMetrics Metrics,
    IReadOnlyList<GateOutcome> Thresholds,
    bool Passed,
    IReadOnlyList<LayerError>? Layers = null,
    FallbackReport? Fallback = null);
