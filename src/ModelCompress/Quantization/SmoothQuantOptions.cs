using ModelCompress.Kernels;

namespace ModelCompress.Quantization;

/// <summary>
/// How the int8 layers that follow SmoothQuant will be quantized, so that the α search simulates them: the
/// activation type (uint8 asymmetric or int8 symmetric, per tensor) and per-channel or per-tensor weights.
/// </summary>
/// <param name="ActivationType">The activation integer type.</param>
/// <param name="PerChannelWeights">Whether weights get one scale per output channel.</param>
/// <param name="SearchRows">Activation rows kept per group for the α search (spread evenly over the calibration samples).</param>
/// <param name="Threads">ONNX Runtime threads for calibration (0 = its choice).</param>
public sealed record SmoothQuantOptions(
    QuantizedType ActivationType = QuantizedType.UInt8,
    bool PerChannelWeights = true,
    int SearchRows = SmoothQuantOptions.DefaultSearchRows,
    int Threads = 0)
{
    /// <summary>The default number of rows the α search uses per group.</summary>
    public const int DefaultSearchRows = 512;
}
