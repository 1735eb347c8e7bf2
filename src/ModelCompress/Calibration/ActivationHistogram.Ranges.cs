namespace ModelCompress.Calibration;

/// <summary>Clipping ranges read from the histogram.</summary>
public sealed partial class ActivationHistogram
{
    /// <summary>The number of quantized levels of |x| for a signed range (int8: 7 magnitude bits).</summary>
    public const int QuantizedBins = 128;

    /// <summary>
    /// The percentile range. Symmetric: [−t, t] with t the <paramref name="percentile"/>-th percentile of |x| (what
    /// int8 symmetric activations use). Otherwise (100 − p)/2 percent is cut from each tail of x. Bounds are bin
    /// edges, clamped to the observed minimum and maximum.
    /// </summary>
    public (float Min, float Max) PercentileRange(double percentile, bool symmetric)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(percentile, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100);
        if (Count == 0 || HalfRange == 0)
        {
            return (Count == 0 ? 0 : Min, Count == 0 ? 0 : Max);
        }

        if (symmetric)
        {
            var magnitude = Magnitudes();
            var t = MagnitudeEdge(Quantile(magnitude, percentile / 100));
            return Clamp(-t, t);
        }

        var cut = (100 - percentile) / 200;
        var lo = Quantile(_counts, cut);
        var hi = Quantile(_counts, 1 - cut);
        return Clamp(UpperEdge(lo - 1), UpperEdge(hi));
    }

    /// <summary>
    /// The range whose int8 quantization loses the least information: the threshold t minimising the KL divergence
    /// KL(P‖Q) between the |x| histogram clipped at t (outliers folded into the last bin) and its quantization to
    /// <paramref name="levels"/> levels — TensorRT's entropy calibration (Migacz, "8-bit Inference with TensorRT",
    /// GTC 2017), as ONNX Runtime's entropy calibrator does it. The result is [−t, t] clamped to the observed range,
    /// so a one-sided activation (after ReLU or GELU) keeps its tight lower bound. <paramref name="levels"/> is the
    /// number of integer steps that cover [0, t]: 128 for a signed 8-bit range, 256 when an unsigned 8-bit range
    /// spans one-sided data alone (<see cref="LevelsFor"/>).
    /// </summary>
    public (float Min, float Max) EntropyRange(int levels = QuantizedBins)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(levels, 2);
        if (Count == 0 || HalfRange == 0)
        {
            return (Count == 0 ? 0 : Min, Count == 0 ? 0 : Max);
        }

        var hist = Magnitudes();
        var last = hist.Length;
        while (last > 0 && hist[last - 1] == 0)
        {
            last--;
        }

        if (last <= levels)
        {
            return (Min, Max); // the data fits the quantized levels without clipping
        }

        // suffix[i] = the mass beyond the first i bins, i.e. what clipping there folds into the last bin.
        var suffix = new double[hist.Length + 1];
        for (var j = hist.Length - 1; j >= 0; j--)
        {
            suffix[j] = suffix[j + 1] + hist[j];
        }

        var best = last;
        var bestDivergence = double.PositiveInfinity;
        var p = new double[last];
        var q = new double[last];
        for (var i = levels; i <= last; i++)
        {
            var divergence = Divergence(hist, i, suffix[i], levels, p, q);
            if (divergence < bestDivergence)
            {
                bestDivergence = divergence;
                best = i;
            }
        }

        var t = MagnitudeEdge(best - 1);
        return Clamp(-t, t);
    }

    /// <summary>
    /// The 8-bit steps that cover the larger side [0, t] of this data: 128 for a symmetric range; for an asymmetric
    /// range the 256 steps are shared by both sides in proportion to them, so nearly one-sided data (after ReLU or
    /// GELU) gets close to 256.
    /// </summary>
    public int LevelsFor(bool symmetric)
    {
        if (symmetric || Count == 0)
        {
            return QuantizedBins;
        }

        double lo = Math.Abs(Math.Min(Min, 0f)), hi = Math.Max(Max, 0f);
        var share = Math.Max(lo, hi) / Math.Max(lo + hi, double.Epsilon);
        return Math.Clamp((int)Math.Round(2 * QuantizedBins * share), QuantizedBins, 2 * QuantizedBins);
    }

    /// <summary>KL(P‖Q) for clipping after the first <paramref name="i"/> magnitude bins.</summary>
    private static double Divergence(long[] hist, int i, double outliers, int levels, double[] p, double[] q)
    {
        for (var j = 0; j < i; j++)
        {
            p[j] = hist[j];
        }

        p[i - 1] += outliers;

        // Q: merge the i bins into `levels` groups, then spread each group's count evenly over the group's
        // non-empty bins (an empty bin stays empty in the expanded distribution).
        Array.Clear(q, 0, i);
        for (var g = 0; g < levels; g++)
        {
            var start = (int)((long)g * i / levels);
            var end = (int)((long)(g + 1) * i / levels);
            double sum = 0;
            var nonEmpty = 0;
            for (var j = start; j < end; j++)
            {
                sum += hist[j];
                nonEmpty += hist[j] != 0 ? 1 : 0;
            }

            if (nonEmpty == 0)
            {
                continue;
            }

            for (var j = start; j < end; j++)
            {
                q[j] = hist[j] != 0 ? sum / nonEmpty : 0;
            }
        }

        return KullbackLeibler(p.AsSpan(0, i), q.AsSpan(0, i));
    }

    /// <summary>Σ P log(P/Q) over normalised P and Q; a bin where P has mass and Q none gets Q a small ε (smoothing).</summary>
    private static double KullbackLeibler(ReadOnlySpan<double> p, ReadOnlySpan<double> q)
    {
        const double Epsilon = 1e-4;
        double sp = 0, sq = 0;
        for (var j = 0; j < p.Length; j++)
        {
            sp += p[j];
            sq += q[j];
        }

        if (sp == 0 || sq == 0)
        {
            return double.PositiveInfinity;
        }

        double kl = 0;
        for (var j = 0; j < p.Length; j++)
        {
            if (p[j] == 0)
            {
                continue;
            }

            var pj = p[j] / sp;
            var qj = Math.Max(q[j] / sq, Epsilon / p.Length);
            kl += pj * Math.Log(pj / qj);
        }

        return kl;
    }

    /// <summary>The |x| histogram: magnitude bin j (covering [j·w, (j+1)·w)) sums signed bins Bins/2 + j and Bins/2 − 1 − j.</summary>
    private long[] Magnitudes()
    {
        var half = Bins / 2;
        var m = new long[half];
        for (var j = 0; j < half; j++)
        {
            m[j] = _counts[half + j] + _counts[half - 1 - j];
        }

        return m;
    }

    private double MagnitudeEdge(int index) => (index + 1) * 2 * HalfRange / Bins;

    /// <summary>The first bin at which the cumulative share reaches <paramref name="fraction"/>.</summary>
    private static int Quantile(long[] counts, double fraction)
    {
        long total = 0;
        foreach (var c in counts)
        {
            total += c;
        }

        var target = fraction * total;
        long running = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            running += counts[i];
            if (running >= target && running > 0)
            {
                return i;
            }
        }

        return counts.Length - 1;
    }

    private (float Min, float Max) Clamp(double lo, double hi) =>
        ((float)Math.Max(lo, Min), (float)Math.Min(hi, Max));
}
