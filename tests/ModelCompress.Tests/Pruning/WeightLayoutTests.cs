using ModelCompress.Pruning;
using ModelCompress.Recipe;

namespace ModelCompress.Tests.Pruning;

/// <summary>The logical [N outputs × K inputs] view of MatMul, Gemm and Conv weights.</summary>
public sealed class WeightLayoutTests
{
    [Fact]
    public void A_matmul_weight_k_by_n_becomes_rows_of_output_columns()
    {
        // W [K=3, N=2] row-major: column n is output n's weights.
        float[] w = [1, 2, 3, 4, 5, 6];
        var layout = WeightLayout.For("MatMul", [3, 2], 1);

        Assert.Equal((2, 3), (layout.Rows, layout.Cols));
        Assert.Equal([1f, 3, 5, 2, 4, 6], layout.Gather(w));
        Assert.Equal(w, layout.Scatter(layout.Gather(w)));
    }

    [Fact]
    public void A_gemm_transb_weight_is_already_rows_of_outputs()
    {
        float[] w = [1, 2, 3, 4, 5, 6];
        var layout = WeightLayout.For("Gemm", [2, 3], 0);

        Assert.Equal((2, 3), (layout.Rows, layout.Cols));
        Assert.Equal(w, layout.Gather(w));
    }

    [Fact]
    public void A_conv_kernel_orders_each_output_s_inputs_channel_fastest_within_a_kernel_position()
    {
        // [C_out=1, C_in=2, kh=1, kw=2]: stored c0p0, c0p1, c1p0, c1p1 → logical p0c0, p0c1, p1c0, p1c1.
        float[] w = [10, 11, 20, 21];
        var layout = WeightLayout.For("Conv", [1, 2, 1, 2], 0);

        Assert.Equal([10f, 20, 11, 21], layout.Gather(w));
        Assert.Equal(w, layout.Scatter(layout.Gather(w)));
        Assert.True(layout.FitsGroupsOf(2));
        Assert.False(layout.FitsGroupsOf(4));
    }

    [Fact]
    public void Two_of_four_on_a_matmul_weight_groups_four_consecutive_rows_of_each_column()
    {
        var random = new Random(7);
        var w = Enumerable.Range(0, 8 * 3).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var step = new PruneStep(PruneMethod.NM, 0.5, new SparsityPattern(2, 4), [], new SourceLocation("r", 1, 1));

        var pruned = new LayerPruner(step).Prune(w, WeightLayout.For("MatMul", [8, 3], 1), false, null, null).Weights;

        for (var n = 0; n < 3; n++)
        {
            for (var k0 = 0; k0 < 8; k0 += 4)
            {
                var group = Enumerable.Range(k0, 4).Select(k => pruned[(k * 3) + n]).ToList();
                Assert.Equal(2, group.Count(v => v != 0));
                var original = Enumerable.Range(k0, 4).Select(k => Math.Abs(w[(k * 3) + n])).OrderDescending().Take(2).ToHashSet();
                Assert.All(group.Where(v => v != 0), v => Assert.Contains(Math.Abs(v), original));
            }
        }
    }
}
