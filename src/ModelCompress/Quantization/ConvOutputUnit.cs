using ModelCompress.Analysis;
using ModelCompress.Onnx;

namespace ModelCompress.Quantization;

/// <summary>
/// A Conv whose output static int8 quantizes too, so that ONNX Runtime's QDQ fusion turns DQ → Conv → Q into one
/// QLinearConv. The per-channel ops that alone follow the Conv (BatchNormalization, Mul and Add of per-channel
/// constants) are folded into its weights and bias, as ONNX Runtime's own ConvBNFusion/ConvMulFusion/ConvAddFusion do
/// for float models (they cannot once the weight sits behind a DequantizeLinear); a Relu after them is absorbed when
/// the output's zero point is the type's minimum (QuantizeLinear's saturation then is the Relu).
/// </summary>
/// <param name="Layer">The Conv.</param>
/// <param name="Weights">Its weights with the folded scales applied (the original values when nothing scales them).</param>
/// <param name="Bias">Its bias with the folded shifts and scales applied; null when it has none and nothing was folded.</param>
/// <param name="Folded">The nodes folded into the Conv (removed from the graph when the unit is written).</param>
/// <param name="Relu">The Relu that follows the folded ops alone, if any.</param>
/// <param name="Output">The value whose calibrated range quantizes the output: the Relu's output, else the last folded op's.</param>
public sealed record ConvOutputUnit(LinearLayer Layer, float[] Weights, float[]? Bias, IReadOnlyList<OnnxNode> Folded, OnnxNode? Relu, string Output)
{
    /// <summary>Whether the weights differ from the Conv's own.</summary>
    public bool ScalesWeights { get; init; }
}
