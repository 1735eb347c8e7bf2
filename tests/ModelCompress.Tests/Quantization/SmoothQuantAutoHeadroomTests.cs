using ModelCompress.Quantization;
using ModelCompress.Recipe;

namespace ModelCompress.Tests.Quantization;

/// <summary>
/// <c>headroom: auto</c>: each group's headroom is chosen by two-fold cross-validation over the captured rows (smoothing
/// factors and range from one half of the calibration samples, int8 error on the other). Channels that are steady from
/// sample to sample need no room and keep the finest steps; channels that flare up in a few samples get room.
/// </summary>
public sealed class SmoothQuantAutoHeadroomTests
{
    private const int K = 16;
    private const int N = 16;
    private const int Samples = 32;
    private const int RowsPerSample = 8;
    private const int RowCount = Samples * RowsPerSample;

    private static readonly SmoothQuantStep AutoStep =
        new(null, 0.3, 0.7, 0.05, AlphaCombine.Mean, true, new SourceLocation("compression.yaml", 1, 1)) { AutoHeadroom = true };

    [Fact]
    public void The_most_room_within_one_standard_error_of_the_best_held_out_error_is_chosen()
    {
        // Per-row errors of the candidates 1, 1.25, 1.5, 2. The best mean is 1.0 with a standard error of
        // √((0.1² + 0.1²) / 3 / 4) ≈ 0.041, so a mean of 1.025 counts as equal and 2.0 does not; candidates with
        // less room than the best are never taken.
        double[] best = [1.0, 1.1, 0.9, 1.0];
        double[] near = [1.05, 1.1, 0.95, 1.0];
        double[] far = [2.0, 2.1, 1.9, 2.0];

        Assert.Equal(1, SmoothQuantizer.MostRoomWithinOneStandardError([best, near, far, far]));
        Assert.Equal(3, SmoothQuantizer.MostRoomWithinOneStandardError([best, far, far, near]));
        Assert.Equal(0, SmoothQuantizer.MostRoomWithinOneStandardError([best, far, far, far]));
        Assert.Equal(2, SmoothQuantizer.MostRoomWithinOneStandardError([far, far, best, far]));
    }

    [Fact]
    public void Channels_that_flare_up_in_few_samples_get_room_and_lose_less_on_samples_calibration_did_not_see()
    {
        var x = Rows(flare: true, seed: 1);
        var plan = Plan(x);

        Assert.True(plan.Headroom > 1, $"chosen headroom {plan.Headroom}");

        // The choice holds on fresh rows of the same kind: factors from all of x, error on 256 new rows whose flares
        // fall in other samples and channels; compared with the same α search at headroom 1.
        var fresh = Rows(flare: true, seed: 2);
        var w = Weights();
        var one = Plan(x, new SmoothQuantStep(null, 0.3, 0.7, 0.05, AlphaCombine.Mean, true, AutoStep.Location) { Headroom = 1 });
        Assert.True(FreshMse(x, fresh, w, plan.Scales) < FreshMse(x, fresh, w, one.Scales),
            $"fresh rows: auto (headroom {plan.Headroom}) {FreshMse(x, fresh, w, plan.Scales):E3}, headroom 1 {FreshMse(x, fresh, w, one.Scales):E3}");
    }

    [Fact]
    public void The_choice_is_deterministic() =>
        Assert.Equal(Plan(Rows(flare: true, seed: 3)).ToBytes(), Plan(Rows(flare: true, seed: 3)).ToBytes());

    private static SmoothGroupPlan Plan(float[] x, SmoothQuantStep? step = null)
    {
        var (lo, hi, absMax) = Stats(x);
        var w = Weights();
        var weightMax = new float[K];
        for (var j = 0; j < K; j++)
        {
            weightMax[j] = w.AsSpan(j * N, N).ToArray().Max(MathF.Abs);
        }

        return SmoothQuantizer.PlanGroup(absMax, lo, hi, x, weightMax, [(w, N)], AlphaGrid.Values(0.3, 0.7, 0.05), step ?? AutoStep,
            new SmoothQuantOptions(), CancellationToken.None);
    }

    /// <summary>The int8 error on <paramref name="test"/> with the range calibrated on <paramref name="calibration"/>.</summary>
    private static double FreshMse(float[] calibration, float[] test, float[] w, float[] s)
    {
        var (lo, hi, _) = Stats(calibration);
        var reference = SmoothQuantizer.FloatProduct(test, RowCount, K, w, N);
        return SmoothQuantizer.SimulatedMse(test, RowCount, K, s, lo, hi, w, N, reference, new SmoothQuantOptions());
    }

    private static (float[] Min, float[] Max, float[] AbsMax) Stats(float[] x)
    {
        var (lo, hi, abs) = (new float[K], new float[K], new float[K]);
        for (var i = 0; i < x.Length; i++)
        {
            var j = i % K;
            (lo[j], hi[j], abs[j]) = (MathF.Min(lo[j], x[i]), MathF.Max(hi[j], x[i]), MathF.Max(abs[j], MathF.Abs(x[i])));
        }

        return (lo, hi, abs);
    }

    private static float[] Weights()
    {
        var rng = new Random(7);
        return [.. Enumerable.Range(0, K * N).Select(_ => (float)((rng.NextDouble() * 2) - 1))];
    }

    /// <summary>
    /// Rows in sample order: channel 0 within ±4 everywhere, the others within ±0.5; with <paramref name="flare"/>, each
    /// other channel reaches ±2 in the rows of a sample with probability 1/40, so about half of them never flare in 32
    /// calibration samples and do in others (quiet in calibration, loud on new inputs).
    /// </summary>
    private static float[] Rows(bool flare, int seed)
    {
        var rng = new Random(seed);
        var flares = new bool[Samples, K];
        for (var sample = 0; sample < Samples; sample++)
        {
            for (var j = 1; j < K; j++)
            {
                flares[sample, j] = flare && rng.NextDouble() < 1.0 / 40;
            }
        }

        var x = new float[RowCount * K];
        for (var r = 0; r < RowCount; r++)
        {
            for (var j = 0; j < K; j++)
            {
                var u = (float)((rng.NextDouble() * 2) - 1);
                x[(r * K) + j] = u * (j == 0 ? 4f : flares[r / RowsPerSample, j] ? 2f : 0.5f);
            }
        }

        return x;
    }
}
