namespace ModelCompress.Calibration;

/// <summary>
/// A streaming histogram of one activation tensor over the calibration data, in fixed memory: <see cref="Bins"/>
/// equal bins over a symmetric range [−R, R] that doubles whenever a value falls outside (adjacent bin pairs merge
/// exactly, so no count is ever split or interpolated). Exact minimum and maximum are kept beside it. Percentile and
/// entropy (KL-divergence) ranges are read from it; see <see cref="PercentileRange"/> and <see cref="EntropyRange"/>.
/// </summary>
public sealed partial class ActivationHistogram
{
    /// <summary>
    /// Bins over [−R, R]; a multiple of 4 so that doubling R merges whole bin pairs. Half of them cover |x|, so even
    /// after R has doubled past the data (at most 2×), |x| keeps over 2048 bins, as TensorRT's calibrator uses.
    /// </summary>
    public const int Bins = 8192;

    private readonly long[] _counts = new long[Bins];

    /// <summary>The half-width R of the binned range (0 until a non-zero value is seen).</summary>
    public double HalfRange { get; private set; }

    /// <summary>Values added so far.</summary>
    public long Count { get; private set; }

    /// <summary>The smallest value added (+∞ before any).</summary>
    public float Min { get; private set; } = float.PositiveInfinity;

    /// <summary>The largest value added (−∞ before any).</summary>
    public float Max { get; private set; } = float.NegativeInfinity;

    /// <summary>The bin counts, lowest bin first (bin i covers [−R + i·w, −R + (i+1)·w), w = 2R / <see cref="Bins"/>).</summary>
    public ReadOnlySpan<long> Counts => _counts;

    /// <summary>Adds values; NaN is ignored (it has no range), infinities clamp into the outermost bins.</summary>
    public void Add(ReadOnlySpan<float> values)
    {
        float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
        foreach (var v in values)
        {
            if (v < lo)
            {
                lo = v;
            }

            if (v > hi)
            {
                hi = v;
            }
        }

        if (lo > hi)
        {
            return; // empty, or only NaN
        }

        Min = MathF.Min(Min, lo);
        Max = MathF.Max(Max, hi);
        var absMax = Math.Max(Math.Abs((double)lo), Math.Abs((double)hi));
        if (double.IsFinite(absMax))
        {
            Grow(absMax);
        }

        var r = HalfRange;
        var scale = r > 0 ? Bins / (2 * r) : 0;
        foreach (var v in values)
        {
            if (float.IsNaN(v))
            {
                continue;
            }

            // Zero lands in the bin starting at 0 (index Bins/2) whatever R is.
            var bin = r > 0 ? (long)Math.Floor((v + r) * scale) : Bins / 2;
            _counts[Math.Clamp(bin, 0, Bins - 1)]++;
            Count++;
        }
    }

    /// <summary>The upper edge of bin <paramref name="index"/> (the lower edge of bin index + 1).</summary>
    public double UpperEdge(int index) => -HalfRange + ((index + 1) * 2 * HalfRange / Bins);

    private void Grow(double absMax)
    {
        if (HalfRange == 0)
        {
            // Everything so far was 0 (in bin Bins/2, which starts at 0 for any R).
            HalfRange = absMax;
            return;
        }

        while (absMax > HalfRange)
        {
            // Old bin b covers [−R + b·w, ...) = [−2R + (Bins/2 + b)·w, ...): with w' = 2w it is new bin (Bins/2 + b) / 2.
            var merged = new long[Bins];
            for (var b = 0; b < Bins; b++)
            {
                merged[((Bins / 2) + b) / 2] += _counts[b];
            }

            merged.CopyTo(_counts, 0);
            HalfRange *= 2;
        }
    }
}
