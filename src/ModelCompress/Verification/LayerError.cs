namespace ModelCompress.Verification;

/// <summary>
/// How much one int8 layer alone damages its output: the layer run with the bit-exact int8 kernel on its fp32 input
/// (quantized as the compressed model quantizes it), compared with the fp32 layer's output on the same input.
/// </summary>
/// <param name="Name">The node name, as <c>exclude:</c> takes it.</param>
/// <param name="Op">MatMul, Gemm or Conv.</param>
/// <param name="Activation">How the input was quantized: <c>static uint8</c>, <c>static int8</c> or <c>dynamic uint8</c>.</param>
/// <param name="SnrDb">10·log10(Σy² / Σ(y − ŷ)²) over every output element of every sample, in dB; null when not simulated.</param>
/// <param name="Cosine">Σyŷ / (‖y‖·‖ŷ‖) over the same elements; null when not simulated.</param>
/// <param name="MaxAbsError">Largest |y − ŷ|; null when not simulated.</param>
/// <param name="Note">Why the layer could not be simulated, or null.</param>
public sealed record LayerError(
    string Name,
    string Op,
    string Activation,
    double? SnrDb,
    double? Cosine,
    double? MaxAbsError,
    string? Note = null);
