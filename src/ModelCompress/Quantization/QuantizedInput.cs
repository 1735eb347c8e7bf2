namespace ModelCompress.Quantization;

/// <summary>A value already quantized in the graph: its QuantizeLinear output, the names of its scale and zero point, and the scale.</summary>
/// <param name="Quantized">The QuantizeLinear output.</param>
/// <param name="Scale">The scale constant's name.</param>
/// <param name="ZeroPoint">The zero point constant's name.</param>
/// <param name="ScaleValue">The scale (for int32 biases of the layers that read it).</param>
internal sealed record QuantizedInput(string Quantized, string Scale, string ZeroPoint, float ScaleValue);
