using ModelCompress.Kernels;

namespace ModelCompress.Kernels.Tests;

public class TensorReductionsTests
{
    private static float[] Values(int seed, int count)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)((rng.NextDouble() - 0.5) * 100)).ToArray();
    }

    [Fact]
    public void AbsMax_and_MinMax_equal_a_plain_loop()
    {
        foreach (int count in new[] { 1, 7, 8, 9, 100, 1001 })
        {
            var x = Values(count, count);
            Assert.Equal(x.Max(MathF.Abs), TensorReductions.AbsMax(x));
            Assert.Equal((x.Min(), x.Max()), TensorReductions.MinMax(x));
        }

        Assert.Equal(0f, TensorReductions.AbsMax([]));
        Assert.Throws<ArgumentException>(() => TensorReductions.MinMax([]));
    }

    [Fact]
    public void A_NaN_anywhere_shows_in_the_result()
    {
        foreach (int position in new[] { 0, 5, 13, 31 })
        {
            var x = Values(1, 32);
            x[position] = float.NaN;
            Assert.True(float.IsNaN(TensorReductions.AbsMax(x)), $"AbsMax hid NaN at {position}");
            var (min, max) = TensorReductions.MinMax(x);
            Assert.True(float.IsNaN(min) && float.IsNaN(max), $"MinMax hid NaN at {position}");
        }
    }

    [Fact]
    public void Per_channel_maxima_over_the_last_axis_stream_across_batches()
    {
        // Activations [tokens, features]: one value per feature; two half batches fold to the whole batch's result.
        int tokens = 10, features = 21;
        var x = Values(2, tokens * features);
        var whole = new float[features];
        TensorReductions.AbsMaxPerChannel(x, 1, whole);
        var streamed = new float[features];
        TensorReductions.AbsMaxPerChannel(x.AsSpan(0, 4 * features), 1, streamed);
        TensorReductions.AbsMaxPerChannel(x.AsSpan(4 * features), 1, streamed);
        Assert.Equal(whole, streamed);
        for (int f = 0; f < features; f++)
        {
            Assert.Equal(Enumerable.Range(0, tokens).Max(t => MathF.Abs(x[t * features + f])), whole[f]);
        }
    }

    [Fact]
    public void Per_channel_min_max_and_abs_max_on_a_middle_axis()
    {
        // Shape [2, 3, 5], axis 1.
        var x = Values(3, 30);
        var absMax = new float[3];
        var min = Enumerable.Repeat(float.PositiveInfinity, 3).ToArray();
        var max = Enumerable.Repeat(float.NegativeInfinity, 3).ToArray();
        TensorReductions.AbsMaxPerChannel(x, 5, absMax);
        TensorReductions.MinMaxPerChannel(x, 5, min, max);
        for (int c = 0; c < 3; c++)
        {
            var values = Enumerable.Range(0, 30).Where(i => i / 5 % 3 == c).Select(i => x[i]).ToArray();
            Assert.Equal(values.Max(MathF.Abs), absMax[c]);
            Assert.Equal(values.Min(), min[c]);
            Assert.Equal(values.Max(), max[c]);
        }

        Assert.Throws<ArgumentException>(() => TensorReductions.AbsMaxPerChannel(x, 7, absMax));
    }
}
