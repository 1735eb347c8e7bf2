namespace ModelCompress.Quantization;

/// <summary>One smoothed activation and the layers that read it.</summary>
/// <param name="Activation">The activation that is divided by s.</param>
/// <param name="Layers">The layers whose weight rows are multiplied by s.</param>
/// <param name="Alpha">The α used (fixed, or combined from the layers' best).</param>
/// <param name="Placement">Where 1/s went: e.g. <c>folded into LayerNorm '/ln_1'</c>, or <c>Mul inserted (...)</c>.</param>
/// <param name="ScaleMin">The smallest smoothing factor.</param>
/// <param name="ScaleMax">The largest smoothing factor.</param>
public sealed record SmoothedGroup(
    string Activation,
    IReadOnlyList<SmoothedLayer> Layers,
    double Alpha,
    string Placement,
    float ScaleMin,
    float ScaleMax);
