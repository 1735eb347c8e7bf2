namespace ModelCompress.Quantization;

/// <summary>
/// The 4-bit grid of one block of weights, q = clamp(round(w / s) + z, q_min, q_max) and w ≈ s · (q − z) (Jacob et
/// al., 2018, eq. 1, with 4-bit limits): symmetric int4 uses z = 0, s = max|w| / 7 and q ∈ [−8, 7] (−8 is never
/// produced, so the grid is symmetric around 0); asymmetric uint4 covers [min(w, 0), max(w, 0)] with s = range / 15
/// and z = round(−min / s) ∈ [0, 15]. Rounding is half to even, as ONNX QuantizeLinear rounds. A block of zeros
/// gets s = 1 (any scale represents it exactly; 1 keeps the division finite).
/// </summary>
/// <param name="Scale">s, as stored (float32).</param>
/// <param name="Zero">z (0 when symmetric).</param>
/// <param name="Symmetric">Whether the grid is int4 with z = 0.</param>
public readonly record struct Int4Grid(float Scale, int Zero, bool Symmetric)
{
    /// <summary>The grid of <paramref name="block"/>.</summary>
    public static Int4Grid For(ReadOnlySpan<double> block, bool symmetric)
    {
        double lo = 0, hi = 0;
        foreach (var v in block)
        {
            lo = Math.Min(lo, v);
            hi = Math.Max(hi, v);
        }

        if (symmetric)
        {
            var s = (float)(Math.Max(-lo, hi) / 7);
            return new Int4Grid(s > 0 && float.IsFinite(s) ? s : 1f, 0, true);
        }

        var scale = (float)((hi - lo) / 15);
        if (!(scale > 0) || !float.IsFinite(scale))
        {
            return new Int4Grid(1f, 0, false);
        }

        var zero = (int)Math.Clamp(Math.Round(-lo / scale, MidpointRounding.ToEven), 0, 15);
        return new Int4Grid(scale, zero, false);
    }

    /// <summary>The smallest code.</summary>
    public int Min => Symmetric ? -8 : 0;

    /// <summary>The largest code.</summary>
    public int Max => Symmetric ? 7 : 15;

    /// <summary>The code of <paramref name="w"/>.</summary>
    public int Quantize(double w) => (int)Math.Clamp(Math.Round(w / Scale, MidpointRounding.ToEven) + Zero, Min, Max);

    /// <summary>The value code <paramref name="q"/> stands for, s · (q − z) rounded to float32 as DequantizeLinear computes it.</summary>
    public float Dequantize(int q) => (q - Zero) * Scale;
}
