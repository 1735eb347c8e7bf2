using ModelCompress.Quantization;

namespace ModelCompress.Tests.Sharing;

public sealed class LayerFitTests
{
    [Fact]
    public void One_weight_ridge_toward_the_current_weight_matches_the_hand_solution()
    {
        // C = Σx² = 14, P = Σxy = 28.1, λ = 0.01·14; w = (P + λ·w0) / (C + λ) with w0 = 1.
        var p = new LayerFitProblem([1f, 2f, 3f], [2f, 4.2f, 5.9f], 3, 1, 1);

        var (w, bias) = LayerFit.Ridge(p, [1f], null, null);

        Assert.Null(bias);
        Assert.Equal((28.1 + 0.14) / 14.14, w[0], 5);
    }

    [Fact]
    public void One_weight_and_a_bias_solve_the_two_by_two_normal_equations()
    {
        // [C + λ, s; s, R]·[w; b] = [P + λ·w0; Σy] with C = 14, s = 6, R = 3, P = 28.1, Σy = 12.1, λ = 0.14, w0 = 1.
        var p = new LayerFitProblem([1f, 2f, 3f], [2f, 4.2f, 5.9f], 3, 1, 1);

        var (w, bias) = LayerFit.Ridge(p, [1f], [0f], null);

        double a = 14.14, s = 6, r = 3, rhs1 = 28.24, rhs2 = 12.1;
        var det = (a * r) - (s * s);
        Assert.Equal(((rhs1 * r) - (s * rhs2)) / det, w[0], 4);
        Assert.Equal(((a * rhs2) - (s * rhs1)) / det, bias![0], 4);
    }

    [Fact]
    public void A_pruned_weight_stays_zero_and_the_kept_one_absorbs_what_it_can()
    {
        // Two inputs, one output; the second weight is pruned. Only w0 is free: w0 = (P0 + λ·w0_old) / (C00 + λ).
        float[] x = [1f, 0.5f, 2f, -1f, 0f, 1f, 3f, 2f];
        float[] y = [1.5f, 1f, 1f, 7f];
        var p = new LayerFitProblem(x, y, 4, 2, 1);

        var (w, _) = LayerFit.Ridge(p, [0.8f, 0f], null, [true, false]);

        double c00 = 1 + 4 + 0 + 9, c11 = 0.25 + 1 + 1 + 4, p0 = 1.5 + 2 + 0 + 21;
        var lambda = 0.01 * (c00 + c11) / 2;
        Assert.Equal((p0 + (lambda * 0.8)) / (c00 + lambda), w[0], 4);
        Assert.Equal(0f, w[1]);
    }

    [Fact]
    public void Straight_through_adam_on_the_int8_grid_reduces_the_layer_error()
    {
        var (p, teacher) = Problem(seed: 11, rows: 512, k: 16, n: 8);
        var scale = Enumerable.Repeat(0.05f, teacher.Length).ToArray();
        var q = teacher.Select(v => Math.Clamp((int)MathF.Round(v / 0.05f), -128, 127)).ToArray();
        // A biased start: the rounding error alone is small, so shift every value one step to make recovery measurable.
        q = [.. q.Select((v, i) => Math.Clamp(v + (i % 3 == 0 ? 1 : -1), -128, 127))];

        var (fitted, _, before, after) = GradientFit.Quantized(p, q, scale, new int[q.Length], -128, 127, null, epochs: 8, learningRate: 0.01);

        Assert.True(after < 0.5 * before, $"MSE {before} -> {after}");
        Assert.All(fitted, v => Assert.InRange(v, -128, 127));
        Assert.Equal(after, p.MeanSquaredError([.. fitted.Select(v => v * 0.05f)], null), 6);
    }

    [Fact]
    public void Adam_on_cluster_centroids_reduces_the_layer_error_and_keeps_the_indices()
    {
        var (p, teacher) = Problem(seed: 5, rows: 512, k: 16, n: 8);
        var (codebook, indices) = WeightClustering.Cluster(teacher, 4);

        var (fitted, _, before, after) = GradientFit.Codebook(p, codebook, indices, null, epochs: 8, learningRate: 0.01);

        Assert.True(after < before, $"MSE {before} -> {after}");
        Assert.Equal(4, fitted.Length);
        Assert.Equal(after, p.MeanSquaredError(WeightClustering.Expand(fitted, indices), null), 6);
    }

    [Fact]
    public void Low_rank_factors_refitted_on_correlated_inputs_beat_the_plain_truncated_svd()
    {
        var (p, teacher) = Problem(seed: 9, rows: 1024, k: 16, n: 12, correlated: true);
        var (a, b, rank, _) = LowRankFactorization.Factor(teacher, 16, 12, 3, null);
        var svd = p.MeanSquaredError(Product(a, b, 16, rank, 12), null);

        var (fa, fb, _) = LayerFit.LowRank(p, a, b, null, rank, rounds: 4);

        var fitted = p.MeanSquaredError(Product(fa, fb, 16, rank, 12), null);
        Assert.True(fitted < 0.9 * svd, $"MSE {svd} -> {fitted}");
    }

    /// <summary>Random inputs (optionally with strongly unequal feature scales) and a teacher weight; Y = X·W.</summary>
    private static (LayerFitProblem Problem, float[] Teacher) Problem(int seed, int rows, int k, int n, bool correlated = false)
    {
        var random = new Random(seed);
        var x = new float[rows * k];
        for (var r = 0; r < rows; r++)
        {
            for (var i = 0; i < k; i++)
            {
                x[(r * k) + i] = (float)(random.NextDouble() - 0.5) * (correlated ? (i < 3 ? 10f : 0.3f) : 1f);
            }
        }

        var w = Enumerable.Range(0, k * n).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        return (new LayerFitProblem(x, Product(x, w, rows, k, n), rows, k, n), w);
    }

    private static float[] Product(float[] a, float[] b, int m, int k, int n)
    {
        var c = new float[m * n];
        for (var i = 0; i < m; i++)
        {
            for (var t = 0; t < k; t++)
            {
                for (var j = 0; j < n; j++)
                {
                    c[(i * n) + j] += a[(i * k) + t] * b[(t * n) + j];
                }
            }
        }

        return c;
    }
}
