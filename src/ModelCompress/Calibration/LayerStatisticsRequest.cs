using System.Globalization;

namespace ModelCompress.Calibration;

/// <summary>
/// What a pass needs to know about each layer input besides the per-channel min, max and max |x|: a histogram (for
/// percentile and entropy ranges) and a bounded number of captured input rows (for SmoothQuant's α search). Part of
/// the calibration cache key, so statistics gathered for one request are never handed to another.
/// </summary>
/// <param name="Histogram">Whether to keep a histogram of each input.</param>
/// <param name="CaptureRows">How many input rows (vectors along the last axis) to keep per input; 0 keeps none.</param>
/// <param name="SumSquares">Whether to sum x² per input channel over every row (Wanda's ‖X_j‖₂²).</param>
/// <param name="Hessian">Whether to accumulate the input's H = XᵀX over every row (GPTQ, SparseGPT).</param>
public sealed record LayerStatisticsRequest(bool Histogram = false, int CaptureRows = 0, bool SumSquares = false, bool Hessian = false)
{
    /// <summary>Per-channel min, max and max |x| only.</summary>
    public static LayerStatisticsRequest MinMax { get; } = new();

    /// <summary>Whether only the per-channel ranges are asked for.</summary>
    public bool IsMinMaxOnly => !Histogram && CaptureRows == 0 && !SumSquares && !Hessian;

    /// <summary>The canonical text for cache keys (a part added later appears only when asked for, so older keys stay).</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"histogram={Histogram}|rows={CaptureRows}")
        + (SumSquares ? "|sumsq=True" : string.Empty) + (Hessian ? "|hessian=True" : string.Empty);
}
