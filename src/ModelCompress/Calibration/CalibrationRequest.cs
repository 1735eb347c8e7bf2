namespace ModelCompress.Calibration;

/// <summary>What to collect about one intermediate tensor during calibration.</summary>
/// <param name="Name">The value (a node output, or a graph input).</param>
/// <param name="ChannelAxis">The channel axis for per-channel statistics: −1 (the last axis, MatMul/Gemm inputs) or 1 (NCHW Conv inputs).</param>
/// <param name="Histogram">Whether to keep an <see cref="ActivationHistogram"/> (for percentile and entropy ranges).</param>
/// <param name="CaptureRows">How many channel vectors (rows along the last axis) to keep, spread evenly over the samples; 0 keeps none.</param>
/// <param name="SumSquares">Whether to sum x² per channel over every sample (Wanda's input norms).</param>
/// <param name="Hessian">Whether to accumulate <see cref="InputHessian"/> (H = XᵀX over rows along the last axis).</param>
public sealed record CalibrationRequest(string Name, int ChannelAxis = -1, bool Histogram = false, int CaptureRows = 0, bool SumSquares = false, bool Hessian = false)
{
    /// <summary>
    /// When <see cref="Name"/> is a Conv's patch view, the Conv: statistics are of its input's unfolded patches
    /// (columns and rows as <see cref="ConvPatches"/> describes), read from <see cref="Source"/>.
    /// </summary>
    public ConvPatches? Patches { get; init; }

    /// <summary>The tensor ONNX Runtime must expose for this request: the Conv's input for a patch view, else <see cref="Name"/>.</summary>
    public string Source => Patches?.Input ?? Name;
}
