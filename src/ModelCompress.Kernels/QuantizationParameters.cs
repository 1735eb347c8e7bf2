namespace ModelCompress.Kernels;

/// <summary>
/// Scale and zero point of an affine quantization r = S·(q − Z) (Jacob et al., "Quantization and Training of
/// Neural Networks for Efficient Integer-Arithmetic-Only Inference", CVPR 2018, Eq. 1), as ONNX QuantizeLinear and
/// DequantizeLinear use them.
/// </summary>
/// <param name="Scale">S, a positive real step.</param>
/// <param name="ZeroPoint">Z, the integer that represents real 0 exactly.</param>
public readonly record struct QuantizationParameters(float Scale, int ZeroPoint)
{
    /// <summary>
    /// Symmetric parameters for values in [−absMax, absMax]: int8 uses the restricted range −127…127 with Z = 0;
    /// uint8 uses 0…255 with Z = 128. S = 2·absMax / (qmax − qmin) and Z = round((qmin + qmax)/2) — the choice ONNX
    /// Runtime's quantization tools make, so our simulation and their models agree.
    /// </summary>
    public static QuantizationParameters Symmetric(float absMax, QuantizedType type)
    {
        if (!float.IsFinite(absMax) || absMax < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(absMax), absMax, "The absolute maximum must be finite and non-negative.");
        }

        var (qmin, qmax) = type == QuantizedType.Int8 ? (-127, 127) : (0, 255);
        return FromRange(-absMax, absMax, qmin, qmax, symmetric: true);
    }

    /// <summary>
    /// Asymmetric (min/max) parameters over the full type range. The range is first widened to include 0 so that 0 is
    /// exact (Jacob et al. 2018, §2.1); then S = (rmax − rmin)/(qmax − qmin) and Z = round(qmin − rmin/S).
    /// </summary>
    public static QuantizationParameters Asymmetric(float min, float max, QuantizedType type)
    {
        if (!float.IsFinite(min) || !float.IsFinite(max) || min > max)
        {
            throw new ArgumentOutOfRangeException(nameof(min), $"The range [{min}, {max}] must be finite and ordered.");
        }

        var (qmin, qmax) = QuantizedRange(type);
        return FromRange(Math.Min(min, 0f), Math.Max(max, 0f), qmin, qmax, symmetric: false);
    }

    /// <summary>The representable range of <paramref name="type"/>.</summary>
    public static (int Min, int Max) QuantizedRange(QuantizedType type) =>
        type == QuantizedType.Int8 ? (sbyte.MinValue, sbyte.MaxValue) : (byte.MinValue, byte.MaxValue);

    // The smallest normal float (2⁻¹²⁶); a step below it cannot be stored accurately.
    private const double SmallestNormal = 1.1754943508222875e-38;

    private static QuantizationParameters FromRange(float rmin, float rmax, int qmin, int qmax, bool symmetric)
    {
        // The step is computed in double and rounded once to float; Z uses the double step. Rounding is half to
        // even, like numpy.round in ONNX Runtime's tools and like QuantizeLinear itself.
        double scale = ((double)rmax - rmin) / (qmax - qmin);
        if (scale < SmallestNormal)
        {
            // An all-zero range has no meaningful step; 1 keeps dequantization exact for the only value, 0.
            return new QuantizationParameters(1f, 0);
        }

        double zero = symmetric ? (qmin + qmax) / 2.0 : qmin - (rmin / scale);
        int zeroPoint = (int)Math.Clamp(Math.Round(zero, MidpointRounding.ToEven), qmin, qmax);
        return new QuantizationParameters((float)scale, zeroPoint);
    }
}
