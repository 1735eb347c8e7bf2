using ModelCompress.Pruning;

namespace ModelCompress.Tests.Pruning;

/// <summary>The selection rules: exact counts, N of every M, global against per-layer, ties by position.</summary>
public sealed class PruneMaskTests
{
    private static double[] RandomScores(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => random.NextDouble())];
    }

    [Theory]
    [InlineData(2, 4)]
    [InlineData(4, 8)]
    [InlineData(1, 4)]
    public void N_of_M_keeps_exactly_n_of_every_group_and_they_are_the_group_s_highest(int n, int m)
    {
        const int rows = 7;
        var cols = 5 * m;
        var scores = RandomScores(rows * cols, 3);

        var keep = PruneMasks.KeepNOfM(scores, rows, cols, n, m);

        for (var start = 0; start < keep.Length; start += m)
        {
            var group = Enumerable.Range(start, m).ToList();
            Assert.Equal(n, group.Count(i => keep[i]));
            var lowestKept = group.Where(i => keep[i]).Min(i => scores[i]);
            var highestDropped = group.Where(i => !keep[i]).Max(i => scores[i]);
            Assert.True(lowestKept > highestDropped);
        }
    }

    [Theory]
    [InlineData(0.5, 10, 5)]
    [InlineData(0.3, 10, 3)]
    [InlineData(0.25, 6, 2)]
    [InlineData(0.9, 7, 6)]
    public void Per_row_drops_round_s_times_k_from_every_row(double sparsity, int cols, int dropped)
    {
        const int rows = 9;
        var keep = PruneMasks.KeepPerRow(RandomScores(rows * cols, 5), rows, cols, sparsity);

        for (var r = 0; r < rows; r++)
        {
            Assert.Equal(dropped, keep.Skip(r * cols).Take(cols).Count(k => !k));
        }
    }

    [Fact]
    public void Per_matrix_drops_the_lowest_scores_of_the_whole_matrix_and_ties_go_by_position()
    {
        double[] scores = [0.5, 0.1, 0.9, 0.1, 0.3, 0.7];

        var keep = PruneMasks.KeepPerMatrix(scores, 0.5);
        var tie = PruneMasks.KeepPerMatrix([1, 1, 1, 1], 0.5);

        Assert.Equal([true, false, true, false, false, true], keep);
        Assert.Equal([false, false, true, true], tie);
    }

    [Fact]
    public void A_global_threshold_prunes_more_of_the_small_layer_and_the_target_overall()
    {
        var random = new Random(11);
        var small = Enumerable.Range(0, 400).Select(_ => (float)(random.NextDouble() - 0.5) * 0.1f).ToArray();
        var large = Enumerable.Range(0, 600).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();

        var t = PruneMasks.GlobalThreshold([small, large], 0.5);
        var smallDropped = PruneMasks.KeepAbove(small, t).Count(k => !k);
        var largeDropped = PruneMasks.KeepAbove(large, t).Count(k => !k);

        Assert.Equal(500, smallDropped + largeDropped);
        Assert.Equal(400, smallDropped);
        var perLayer = PruneMasks.KeepPerMatrix(LayerPruner.Magnitudes(small), 0.5).Count(k => !k);
        Assert.Equal(200, perLayer);
    }

    [Fact]
    public void Pruned_weights_are_positive_zero_and_kept_ones_untouched()
    {
        float[] w = [-0.25f, 3f, -7f, 0.5f];

        var pruned = PruneMasks.Apply(w, [false, true, true, false]);

        Assert.Equal([0f, 3f, -7f, 0f], pruned);
        Assert.All(new[] { pruned[0], pruned[3] }, z => Assert.False(float.IsNegative(z)));
    }
}
