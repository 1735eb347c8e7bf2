using ModelCompress.Calibration;
using ModelCompress.Recipe;

namespace ModelCompress.Quantization;

/// <summary><c>headroom: auto</c>: each group's headroom chosen by the int8 error on captured rows its range did not see.</summary>
public static partial class SmoothQuantizer
{
    /// <summary>The headrooms <c>headroom: auto</c> chooses from, least room first.</summary>
    internal static readonly double[] HeadroomCandidates = [1, 1.25, 1.5, 2];

    /// <summary>
    /// Why: the α search measures every candidate on rows whose own statistics made the smoothing factors and the
    /// activation range, so clipping of a channel that grows past its calibrated maximum never shows in its error,
    /// and the search cannot tell whether a group needs headroom (char-gpt: one fixed headroom loses either in domain,
    /// 2, or out of it, 1). Here each candidate headroom gets its own α search as before; then the whole recipe at
    /// that headroom (factors from the channel maxima, per-tensor range, int8 product) is scored by two-fold
    /// cross-validation over the calibration samples: factors and range from the channel ranges of one half of the
    /// samples (every value of them, <see cref="SampleHalves"/>; without those, the half's captured rows), int8 output
    /// error on the other half's captured rows, and the other way round. A group whose channels are steady across
    /// samples shows the cost of room; one whose quiet channels flare up in samples the statistics did not see shows
    /// the cost of clipping. The pick is <see cref="MostRoomWithinOneStandardError"/>. A pure function of its arguments.
    /// </summary>
    private static SmoothGroupPlan PlanByHeldOutHeadroom(
        float[] absMax, float[] channelMin, float[] channelMax, float[] x, int rows, float[] weightMax, IReadOnlyList<(float[] W, int N)> members,
        IReadOnlyList<float[]> references, IReadOnlyList<double> grid, SmoothQuantStep step, SmoothQuantOptions options, SampleHalves? halves,
        CancellationToken ct)
    {
        var folds = Folds(x, rows, absMax.Length, halves);
        var plans = new List<SmoothGroupPlan>();
        var errors = new List<double[]>();
        foreach (var headroom in HeadroomCandidates)
        {
            var plan = PlanAlpha(absMax, channelMin, channelMax, x, rows, weightMax, members, references, grid, step, headroom, options, ct);
            double[]? perRow = null;
            for (var i = 0; i < members.Count; i++)
            {
                var e = HeldOutErrors(x, absMax.Length, folds, plan.Alpha, headroom, weightMax, members[i].W, members[i].N, references[i], options);
                perRow ??= new double[e.Length];
                for (var r = 0; r < e.Length; r++)
                {
                    perRow[r] += e[r];
                }
            }

            plans.Add(plan);
            errors.Add(perRow ?? []);
        }

        return plans[MostRoomWithinOneStandardError(errors)];
    }

    /// <summary>
    /// The candidate with the most room among those whose mean held-out error is within one standard error of the
    /// smallest (the one-standard-error rule, as for α in <see cref="OneStandardError"/>): the held-out rows are of the
    /// calibration domain, where less room always looks a little better; new inputs may be louder than any of it, so
    /// room is kept wherever the calibration data cannot show that it costs.
    /// </summary>
    internal static int MostRoomWithinOneStandardError(IReadOnlyList<double[]> errors)
    {
        var means = errors.Select(e => e.Length == 0 ? 0 : e.Average()).ToList();
        var best = 0;
        for (var i = 1; i < means.Count; i++)
        {
            best = means[i] < means[best] ? i : best;
        }

        var e0 = errors[best];
        var limit = means[best];
        if (e0.Length > 1)
        {
            var variance = e0.Sum(v => (v - means[best]) * (v - means[best])) / (e0.Length - 1);
            limit += Math.Sqrt(variance / e0.Length);
        }

        var chosen = best;
        for (var i = best + 1; i < means.Count; i++)
        {
            chosen = means[i] <= limit ? i : chosen;
        }

        return chosen;
    }

    /// <summary>
    /// The two folds: the rows of each half of the samples with the other half's ranges (from every value of those
    /// samples when <paramref name="halves"/> has them, else from the other half's captured rows); one in-sample fold
    /// when the rows do not split.
    /// </summary>
    internal static IReadOnlyList<(int From, int To, float[] Min, float[] Max)> Folds(float[] x, int rows, int k, SampleHalves? halves)
    {
        if (halves is { SplitRow: > 0 } h && h.SplitRow < rows && h.Min[0].Length == k)
        {
            return [(0, h.SplitRow, h.Min[1], h.Max[1]), (h.SplitRow, rows, h.Min[0], h.Max[0])];
        }

        var half = rows / 2;
        if (half == 0)
        {
            var (lo, hi) = ChannelRange(x, 0, rows, k);
            return [(0, rows, lo, hi)];
        }

        var (lo0, hi0) = ChannelRange(x, 0, half, k);
        var (lo1, hi1) = ChannelRange(x, half, rows, k);
        return [(0, half, lo1, hi1), (half, rows, lo0, hi0)];
    }

    /// <summary>
    /// The int8 output error per row (mean square over the outputs) of one layer smoothed at (<paramref name="alpha"/>,
    /// <paramref name="headroom"/>) over the <paramref name="folds"/>: each fold's rows are smoothed and quantized with
    /// the factors and range that the other half's channel ranges give, so values past what that half saw are clipped
    /// as they would be on new inputs.
    /// </summary>
    internal static double[] HeldOutErrors(
        float[] x, int k, IReadOnlyList<(int From, int To, float[] Min, float[] Max)> folds, double alpha, double headroom, float[] weightMax,
        float[] w, int n, float[] reference, SmoothQuantOptions options)
    {
        var perRow = new double[folds.Sum(f => f.To - f.From)];
        var at = 0;
        foreach (var (from, to, lo, hi) in folds)
        {
            var absMax = new float[k];
            var min = new float[k];
            var max = new float[k];
            for (var j = 0; j < k; j++)
            {
                // The range always holds 0 (as QDQ's does); a channel a half never saw counts as 0 there.
                min[j] = float.IsFinite(lo[j]) ? MathF.Min(lo[j], 0) : 0;
                max[j] = float.IsFinite(hi[j]) ? MathF.Max(hi[j], 0) : 0;
                absMax[j] = MathF.Max(-min[j], max[j]);
            }

            var s = Scales(absMax, weightMax, alpha, headroom);
            var fold = new double[to - from];
            SimulatedMse(x[(from * k)..(to * k)], to - from, k, s, min, max, w, n, reference[(from * n)..(to * n)], options, fold);
            fold.CopyTo(perRow, at);
            at += fold.Length;
        }

        return perRow;
    }

    /// <summary>min and max of each channel over rows [from, to) (0 included, as the int8 range always is).</summary>
    private static (float[] Min, float[] Max) ChannelRange(float[] x, int from, int to, int k)
    {
        var lo = new float[k];
        var hi = new float[k];
        for (var r = from; r < to; r++)
        {
            var row = x.AsSpan(r * k, k);
            for (var j = 0; j < k; j++)
            {
                lo[j] = MathF.Min(lo[j], row[j]);
                hi[j] = MathF.Max(hi[j], row[j]);
            }
        }

        return (lo, hi);
    }
}
