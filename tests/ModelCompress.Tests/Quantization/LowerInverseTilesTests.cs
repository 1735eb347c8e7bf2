using ModelCompress.Analysis;
using ModelCompress.Calibration;
using ModelCompress.Onnx;
using ModelCompress.Passes;
using ModelCompress.Quantization;
using ModelCompress.Testing;

namespace ModelCompress.Tests.Quantization;

/// <summary>
/// The tiled forward substitution (X = L⁻¹, four rows at a time) and the panel Cholesky with its padded pack give
/// the bits of the row-by-row / column-by-column definitions at char-GPT's real width (1536 channels: rows 12 KB
/// apart, threads on), on the Hessian of its fc2 weights taken as rows, and on a factor with exact zeros. Compared
/// bit for bit against a plain loop written here, so a reordered sum in either kernel fails.
/// </summary>
public sealed class LowerInverseTilesTests
{
    [Fact]
    public void Char_gpt_fc2_width_factor_and_inverse_keep_the_plain_bits()
    {
        var model = OnnxModel.Load(Fixtures.Require("models/char-gpt/char-gpt-6l384.onnx"));
        var layer = GraphAnalyzer.Analyze(model).Layers.MaxBy(l => l.InFeatures)!;
        var (_, k, w) = Int4WeightOnlyPass.RowsOf(PassLayer.Of(layer));
        var hessian = new InputHessian(k);
        hessian.Add(w.Take(200 * k).Select(v => (float)v).ToArray());
        var h = hessian.Matrix();
        for (var i = 0; i < k; i++)
        {
            h[(i * k) + i] += 0.01 * (1 + (i % 7));
        }

        Assert.True(k >= 1024);
        var panels = (double[])h.Clone();
        var columns = (double[])h.Clone();
        Assert.True(Cholesky.TryLower(panels, k, allowPanels: true));
        Assert.True(Cholesky.TryLower(columns, k, allowPanels: false));
        AssertSameBits(columns, panels);

        var tiled = new double[k * k];
        Assert.True(LowerInverseTiles.TrySolve(panels, k, tiled));
        AssertSameBits(PlainInverse(panels, k), tiled);
    }

    [Fact]
    public void A_factor_with_exact_zeros_solves_to_the_plain_bits()
    {
        const int n = 203;
        var l = new double[n * n];
        var values = new DeterministicRandom(5).Uniform(n * n, 1f);
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < i; j++)
            {
                // Every third multiplier is an exact zero (the plain loop skips it; the tiles add ±0).
                l[(i * n) + j] = (i + j) % 3 == 0 ? 0 : values[(i * n) + j] / n;
            }

            l[(i * n) + i] = 1 + Math.Abs(values[(i * n) + i]);
        }

        var tiled = new double[n * n];
        Assert.True(LowerInverseTiles.TrySolve(l, n, tiled));
        AssertSameBits(PlainInverse(l, n), tiled);
    }

    // X = L⁻¹ by its definition: row i is (e_i − Σ_{k<i, L_ik ≠ 0} L_ik · X_k) / L_ii, k ascending, multiply then add.
    internal static double[] PlainInverse(double[] l, int n)
    {
        var x = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            x[(i * n) + i] = 1;
            for (var k = 0; k < i; k++)
            {
                var lik = l[(i * n) + k];
                if (lik == 0)
                {
                    continue;
                }

                for (var c = 0; c <= k; c++)
                {
                    var product = -lik * x[(k * n) + c];
                    x[(i * n) + c] += product;
                }
            }

            var inv = 1 / l[(i * n) + i];
            for (var c = 0; c <= i; c++)
            {
                x[(i * n) + c] *= inv;
            }
        }

        return x;
    }

    private static void AssertSameBits(double[] expected, double[] actual)
    {
        var mismatches = Enumerable.Range(0, expected.Length)
            .Where(i => BitConverter.DoubleToInt64Bits(expected[i]) != BitConverter.DoubleToInt64Bits(actual[i]))
            .Take(3).Select(i => $"[{i}]: {actual[i]:R} vs {expected[i]:R}");
        Assert.Empty(mismatches);
    }
}
