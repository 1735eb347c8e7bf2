using ModelCompress.Calibration;
using ModelCompress.Onnx;

namespace ModelCompress.Tests.Calibration;

public sealed class ActivationHistogramTests
{
    private static float[] Normal(int count, float std, ulong seed)
    {
        var rng = new DeterministicRandom(seed);
        return [.. Enumerable.Range(0, count).Select(_ => rng.NextNormal(std))];
    }

    [Fact]
    public void Growing_the_range_merges_bins_like_binning_everything_at_the_final_range()
    {
        var small = Normal(5000, 0.5f, 1);
        var large = Normal(5000, 4f, 2);
        var streamed = new ActivationHistogram();
        streamed.Add(small);
        streamed.Add(large); // the range doubles (several times) here

        var r = streamed.HalfRange;
        var direct = new long[ActivationHistogram.Bins];
        foreach (var v in small.Concat(large))
        {
            direct[Math.Clamp((long)Math.Floor((v + r) * ActivationHistogram.Bins / (2 * r)), 0, ActivationHistogram.Bins - 1)]++;
        }

        // Merging is exact; only a value that float rounding put on the other side of a bin edge at the smaller range
        // may sit one bin away, so the running totals agree to within a few values everywhere.
        Assert.True(r >= large.Max(v => Math.Abs(v)));
        long a = 0, b = 0, worst = 0;
        for (var i = 0; i < ActivationHistogram.Bins; i++)
        {
            a += direct[i];
            b += streamed.Counts[i];
            worst = Math.Max(worst, Math.Abs(a - b));
        }

        Assert.Equal(a, b);
        Assert.True(worst <= 3, $"cumulative counts differ by {worst}");
        Assert.Equal(10_000, streamed.Count);
        Assert.Equal(small.Concat(large).Min(), streamed.Min);
        Assert.Equal(small.Concat(large).Max(), streamed.Max);
    }

    [Fact]
    public void Percentile_range_matches_sorted_data_within_one_bin()
    {
        var data = Normal(200_000, 1f, 3);
        var h = new ActivationHistogram();
        h.Add(data);
        var sortedAbs = data.Select(MathF.Abs).Order().ToArray();
        var sorted = data.Order().ToArray();
        var bin = 2 * h.HalfRange / ActivationHistogram.Bins;

        var (lo, hi) = h.PercentileRange(99.9, symmetric: true);
        var expected = sortedAbs[(int)Math.Ceiling(0.999 * sortedAbs.Length) - 1];
        Assert.Equal(-hi, lo);
        Assert.InRange(hi, expected - bin, expected + bin);

        var (alo, ahi) = h.PercentileRange(99.0, symmetric: false);
        Assert.InRange(alo, sorted[(int)(0.005 * sorted.Length)] - bin, sorted[(int)(0.005 * sorted.Length)] + bin);
        Assert.InRange(ahi, sorted[(int)(0.995 * sorted.Length)] - bin, sorted[(int)(0.995 * sorted.Length)] + bin);
    }

    [Fact]
    public void Entropy_clips_a_long_tail_but_keeps_a_bounded_uniform_range()
    {
        var rng = new DeterministicRandom(4);
        var laplace = new ActivationHistogram();
        laplace.Add([.. Enumerable.Range(0, 200_000).Select(_ => (float)(-Math.Log(1 - rng.NextFloat()) * (rng.NextFloat() < 0.5 ? -1 : 1)))]);
        var (lo, hi) = laplace.EntropyRange();
        Assert.Equal(-hi, lo);
        Assert.True(hi < laplace.Max, $"a heavy tail is clipped ({hi} vs max {laplace.Max})");
        Assert.True(hi > 4, $"but not to the bulk of the data ({hi})");

        var uniform = new ActivationHistogram();
        uniform.Add(new DeterministicRandom(5).Uniform(200_000, 3f));
        var (_, uhi) = uniform.EntropyRange();
        Assert.True(uhi > 0.97 * uniform.Max, $"uniform data keeps nearly its whole range ({uhi} of {uniform.Max})");
    }

    [Fact]
    public void One_sided_data_keeps_its_lower_bound_and_gets_all_unsigned_levels()
    {
        var h = new ActivationHistogram();
        h.Add([.. Normal(50_000, 1f, 6).Select(v => Math.Max(0f, v))]);

        Assert.Equal(256, h.LevelsFor(symmetric: false));
        Assert.Equal(128, h.LevelsFor(symmetric: true));
        Assert.Equal(0f, h.EntropyRange(h.LevelsFor(false)).Min);
        Assert.Equal(0f, h.PercentileRange(99.99, symmetric: false).Min);
    }

    [Fact]
    public void All_zero_data_has_a_zero_range()
    {
        var h = new ActivationHistogram();
        h.Add(new float[100]);

        Assert.Equal((0f, 0f), h.PercentileRange(99.9, true));
        Assert.Equal((0f, 0f), h.EntropyRange());
        Assert.Equal(100, h.Counts[ActivationHistogram.Bins / 2]);
    }
}
