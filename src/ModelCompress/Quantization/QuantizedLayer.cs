namespace ModelCompress.Quantization;

/// <summary>One layer in a quantization report.</summary>
/// <param name="Name">The node's name.</param>
/// <param name="OpType">MatMul, Gemm, Conv or Gather.</param>
/// <param name="Mode"><c>static</c>, <c>dynamic</c> or <c>weight_only</c>; <c>float</c> when the layer was left alone.</param>
/// <param name="ActivationMin">The calibrated lower bound of the input (static mode), else null.</param>
/// <param name="ActivationMax">The calibrated upper bound of the input (static mode), else null.</param>
/// <param name="ActivationScale">The input's quantization step (static mode), else null.</param>
/// <param name="ActivationZeroPoint">The input's zero point (static mode), else null.</param>
/// <param name="WeightScaleMin">The smallest weight step over the output channels.</param>
/// <param name="WeightScaleMax">The largest weight step over the output channels.</param>
/// <param name="Note">Why the layer was left in float, or other remarks; null when none.</param>
public sealed record QuantizedLayer(
    string Name,
    string OpType,
    string Mode,
    float? ActivationMin,
    float? ActivationMax,
    float? ActivationScale,
    int? ActivationZeroPoint,
    float WeightScaleMin,
    float WeightScaleMax,
    string? Note);
