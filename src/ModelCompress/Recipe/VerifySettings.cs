using System.Collections.Immutable;
using ModelCompress.Onnx.Diagnostics;

namespace ModelCompress.Recipe;

/// <summary>The model's accuracy checks (<c>verify:</c>).</summary>
/// <param name="Data">Validation data (tokenizer, seq_len and input default to the calibration's).</param>
/// <param name="Samples">How many samples to compare, from the start of the data; null means all.</param>
/// <param name="LabelsPath">Full path of the labels file for <c>accuracy</c>, or null.</param>
/// <param name="Thresholds">The bounds to hold (at least one).</param>
/// <param name="Severity">Error (default) fails the build on a regression; Warning only reports it.</param>
/// <param name="OnRegression">fail (default) or fallback to float for the worst layers.</param>
/// <param name="MaxFallbackLayers">Most layers a fallback may put back to float (default 8).</param>
/// <param name="PerLayer">Whether the report includes the per-layer error table (default true).</param>
/// <param name="Location">Where <c>verify:</c>'s mapping starts.</param>
public sealed record VerifySettings(
    DataSource Data,
    int? Samples,
    string? LabelsPath,
    ImmutableArray<Threshold> Thresholds,
    DiagnosticSeverity Severity,
    RegressionAction OnRegression,
    int MaxFallbackLayers,
    bool PerLayer,
    SourceLocation Location)
{
    /// <summary>The default fallback limit.</summary>
    public const int DefaultMaxFallbackLayers = 8;

    /// <summary>
    /// The graph outputs to compare (<c>outputs:</c>), in the recipe's order; empty compares every output of the model.
    /// The first one compared is the primary output: labels and next-token perplexity are measured on it.
    /// </summary>
    public ImmutableArray<string> Outputs { get; init; } = [];

    /// <summary>Where <c>outputs:</c> is written, for an error naming an output the model lacks.</summary>
    public SourceLocation? OutputsLocation { get; init; }

    /// <summary>The order in which a fallback puts layers back to float (<c>fallback_order:</c>, default by SNR).</summary>
    public FallbackOrder FallbackOrder { get; init; } = FallbackOrder.Snr;
}
