using ModelCompress.Quantization;

namespace ModelCompress.Tests.Sharing;

public sealed class WeightClusteringTests
{
    [Fact]
    public void Two_well_separated_groups_give_their_means_as_the_codebook()
    {
        float[] values = [0.9f, 5.2f, 1f, 4.8f, 1.1f, 5f];

        var (codebook, indices) = WeightClustering.Cluster(values, 2);

        Assert.Equal(2, codebook.Length);
        Assert.Equal(1f, codebook[0], 5);
        Assert.Equal(5f, codebook[1], 5);
        Assert.Equal(new byte[] { 0, 1, 0, 1, 0, 1 }, indices);
    }

    [Fact]
    public void Fewer_distinct_values_than_clusters_are_kept_exactly()
    {
        float[] values = [-0.5f, 0.25f, 0.25f, 2f, -0.5f];

        var (codebook, indices) = WeightClustering.Cluster(values, 16);

        Assert.Equal(new[] { -0.5f, 0.25f, 2f }, codebook);
        Assert.Equal(values, WeightClustering.Expand(codebook, indices));
    }

    [Fact]
    public void Clustering_is_deterministic_sorted_and_more_clusters_lose_less()
    {
        var random = new Random(7);
        var values = Enumerable.Range(0, 20_000).Select(_ => (float)((random.NextDouble() - 0.5) * random.NextDouble())).ToArray();

        var first = WeightClustering.Cluster(values, 16);
        var second = WeightClustering.Cluster(values, 16);
        var coarse = WeightClustering.Cluster(values, 4);

        Assert.Equal(first.Codebook, second.Codebook);
        Assert.Equal(first.Indices, second.Indices);
        Assert.Equal(first.Codebook.Order().ToArray(), first.Codebook);
        Assert.All(first.Indices, i => Assert.True(i < 16));
        Assert.True(Mse(values, first) < Mse(values, coarse) / 4, $"k=16 {Mse(values, first)} vs k=4 {Mse(values, coarse)}");

        // Every weight sits at its nearest centroid (a Lloyd fixed point or the iteration cap; assignment is always nearest).
        for (var i = 0; i < values.Length; i += 97)
        {
            var own = Math.Abs(values[i] - first.Codebook[first.Indices[i]]);
            Assert.All(first.Codebook, c => Assert.True(own <= Math.Abs(values[i] - c) + 1e-7f));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(257)]
    public void Cluster_counts_outside_2_to_256_are_rejected(int k) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => WeightClustering.Cluster([1f, 2f], k));

    private static double Mse(float[] values, (float[] Codebook, byte[] Indices) c)
    {
        var back = WeightClustering.Expand(c.Codebook, c.Indices);
        return values.Select((v, i) => (double)(v - back[i]) * (v - back[i])).Average();
    }
}
