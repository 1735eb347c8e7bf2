using ModelCompress.Quantization;

namespace ModelCompress.Tests.Sharing;

public sealed class LowRankFactorizationTests
{
    [Theory]
    [InlineData(0.5, 1)]
    [InlineData(0.9, 2)] // 9/14 < 0.9 ≤ 13/14
    [InlineData(0.95, 3)]
    [InlineData(1.0, 3)]
    public void Energy_picks_the_smallest_rank_holding_that_share_of_the_squared_singular_values(double energy, int rank) =>
        Assert.Equal(rank, LowRankFactorization.ChooseRank([3, 2, 1], null, energy));

    [Fact]
    public void A_fixed_rank_wins_over_energy_and_is_capped_at_the_matrix_rank() =>
        Assert.Equal(3, LowRankFactorization.ChooseRank([3, 2, 1], 5, 0.1));

    [Theory]
    [InlineData(2, 6, 5, true)] // 2·11 = 22 < 30
    [InlineData(3, 6, 5, false)] // 33 ≥ 30: KN/(K+N) = 2.7
    public void A_rank_saves_only_below_KN_over_K_plus_N(int r, int k, int n, bool saves) =>
        Assert.Equal(saves, LowRankFactorization.Saves(r, k, n));

    [Fact]
    public void A_rank_three_matrix_is_rebuilt_from_three_factors()
    {
        var random = new Random(3);
        const int k = 12, n = 9, r = 3;
        var a = Enumerable.Range(0, k * r).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var b = Enumerable.Range(0, r * n).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var w = new float[k * n];
        for (var i = 0; i < k; i++)
        {
            for (var j = 0; j < n; j++)
            {
                for (var t = 0; t < r; t++)
                {
                    w[(i * n) + j] += a[(i * r) + t] * b[(t * n) + j];
                }
            }
        }

        var singular = LowRankFactorization.SingularValues(w, k, n);
        var (fa, fb, rank, energy) = LowRankFactorization.Factor(w, k, n, null, 0.999999);

        Assert.True(singular[3] < 1e-5 * singular[0], $"σ4 {singular[3]} σ1 {singular[0]}");
        Assert.Equal(3, rank);
        Assert.True(energy > 0.999999);
        for (var i = 0; i < k; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var s = 0.0;
                for (var t = 0; t < rank; t++)
                {
                    s += fa[(i * rank) + t] * fb[(t * n) + j];
                }

                Assert.True(Math.Abs(w[(i * n) + j] - s) < 1e-5, $"{w[(i * n) + j]} vs {s}");
            }
        }
    }

    [Theory]
    [InlineData(40, 30)]
    [InlineData(30, 40)]
    public void The_Gram_route_matches_a_full_SVD_in_values_and_in_the_best_rank_r_matrix(int k, int n)
    {
        // A matrix with a decaying spectrum, as trained weights have; the reference is MathNet's full Golub–Kahan SVD.
        var random = new Random(11);
        var w = Enumerable.Range(0, k * n).Select(i => (float)((random.NextDouble() - 0.5) / (1 + (i % n)))).ToArray();
        var full = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(k, n, (i, j) => w[(i * n) + j]).Svd(computeVectors: true);

        var singular = LowRankFactorization.SingularValues(w, k, n);
        for (var i = 0; i < Math.Min(k, n); i++)
        {
            Assert.True(Math.Abs(singular[i] - full.S[i]) < 1e-9 + (1e-7 * full.S[0]), $"σ{i} {singular[i]} vs {full.S[i]}");
        }

        const int r = 7;
        var (fa, fb, rank, _) = LowRankFactorization.Factor(w, k, n, r, null);
        Assert.Equal(r, rank);
        var best = full.U.SubMatrix(0, k, 0, r) * MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfDiagonalArray([.. full.S.Take(r)]) * full.VT.SubMatrix(0, r, 0, n);
        for (var i = 0; i < k; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var s = 0.0;
                for (var t = 0; t < r; t++)
                {
                    s += fa[(i * r) + t] * fb[(t * n) + j];
                }

                Assert.True(Math.Abs(best[i, j] - s) < 1e-5, $"[{i},{j}] {best[i, j]} vs {s}");
            }
        }
    }
}
