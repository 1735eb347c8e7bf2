using ModelCompress.Quantization;

namespace ModelCompress.Tests.Quantization;

public sealed class AlphaSelectionTests
{
    private static readonly double[] Grid = [0.3, 0.4, 0.5, 0.6, 0.7];

    [Fact]
    public void An_alpha_that_beats_half_only_within_sampling_noise_gives_way_to_half()
    {
        // Per-row errors at the best α (0.7) are spread widely: mean 1.0, standard error √(1/3) ≈ 0.58 over 4 rows.
        var rows = Grid.Select(_ => new[] { 0.0, 0.0, 2.0, 2.0 }).ToList();
        var curve = new[] { 2.0, 1.6, 1.2, 1.1, 1.0 }.Select((m, i) => new AlphaPoint(Grid[i], m)).ToList();

        Assert.Equal(0.5, SmoothQuantizer.OneStandardError(curve, rows, 0.5));
    }

    [Fact]
    public void An_alpha_that_beats_half_beyond_sampling_noise_is_kept()
    {
        // Same means, but the rows at 0.7 agree closely (standard error ≈ 0.006): 0.6's 1.1 is outside 1.0 + 0.006.
        var rows = Grid.Select(_ => new[] { 0.99, 1.01, 0.99, 1.01 }).ToList();
        var curve = new[] { 2.0, 1.6, 1.2, 1.1, 1.0 }.Select((m, i) => new AlphaPoint(Grid[i], m)).ToList();

        Assert.Equal(0.7, SmoothQuantizer.OneStandardError(curve, rows, 0.5));
    }

    [Fact]
    public void Within_the_band_the_alpha_nearest_half_wins_not_the_band_edge()
    {
        // Band: 1.0 + SE 0.58 = 1.58 admits 0.4 (1.4) but not 0.5 (1.6): 0.4 is the nearest admissible to 0.5.
        var rows = Grid.Select(_ => new[] { 0.0, 0.0, 2.0, 2.0 }).ToList();
        var curve = new[] { 1.0, 1.4, 1.6, 1.8, 1.9 }.Select((m, i) => new AlphaPoint(Grid[i], m)).ToList();

        Assert.Equal(0.4, SmoothQuantizer.OneStandardError(curve, rows, 0.5));
    }

    /// <summary>
    /// What the one-standard-error rule guarantees whatever the per-row errors were: the chosen α is the curve's
    /// minimum or a point strictly nearer 0.5 with an error no smaller than the minimum.
    /// </summary>
    internal static void AssertOneStandardErrorChoice(IReadOnlyList<AlphaPoint> curve, double chosen)
    {
        var best = curve.MinBy(p => p.Mse)!;
        var point = curve.Single(p => p.Alpha == chosen);
        if (point.Alpha != best.Alpha)
        {
            Assert.True(Math.Abs(point.Alpha - 0.5) < Math.Abs(best.Alpha - 0.5), $"α {point.Alpha} is not nearer 0.5 than the minimum at {best.Alpha}");
            Assert.True(point.Mse >= best.Mse);
        }
    }
}
