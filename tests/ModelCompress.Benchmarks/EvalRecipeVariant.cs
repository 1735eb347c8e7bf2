namespace ModelCompress.Benchmarks;

/// <summary>One of our compressed variants: its column header and the recipe steps that make it.</summary>
/// <param name="Header">The column header.</param>
/// <param name="Slug">The work sub-folder's name.</param>
/// <param name="Steps">The recipe's <c>steps:</c> entries (YAML, indented for a model entry).</param>
/// <param name="Calibrated">Whether the steps need calibration data.</param>
/// <param name="QuantizesActivations">Whether the output must contain QuantizeLinear (static int8).</param>
internal sealed record EvalRecipeVariant(string Header, string Slug, string Steps, bool Calibrated, bool QuantizesActivations);
