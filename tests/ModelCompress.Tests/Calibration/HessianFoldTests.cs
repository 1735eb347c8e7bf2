using ModelCompress.Analysis;
using ModelCompress.Calibration;
using ModelCompress.Onnx;
using ModelCompress.Passes;
using ModelCompress.Testing;

namespace ModelCompress.Tests.Calibration;

/// <summary>
/// The register-tiled Hessian fold gives the bits of the plain fold (one row at a time, each element's products added
/// in row order, rows whose xᵢ is zero skipped): GPTQ's and SparseGPT's outputs and cache keys must not move. Compared
/// bit for bit (not with a tolerance) on random rows, MNIST images (many exact zeros) and char-GPT's fc2 weights (the
/// real 1536-channel width, on several threads), with ragged widths, blocks split across calls and non-finite values.
/// </summary>
public sealed class HessianFoldTests
{
    // The fold uses 8-row tiles where AVX-512 gives 32 vector registers and 4-row tiles elsewhere; build/test-kernels.sh
    // runs these tests a second time with DOTNET_EnableAVX512=0 and this variable set to False, so both are compared.
    [Fact]
    public void The_tile_width_is_the_one_the_run_expects()
    {
        var field = typeof(HessianFold).GetField("WideTiles", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        var wide = (bool)field.GetValue(null)!;
        Assert.Equal(System.Runtime.Intrinsics.X86.Avx512F.VL.IsSupported, wide);
        if (Environment.GetEnvironmentVariable("MODELCOMPRESS_EXPECT_WIDE_TILES") is { Length: > 0 } expected)
        {
            Assert.Equal(bool.Parse(expected), wide);
        }
    }

    [Theory]
    [InlineData(5, 19)]
    [InlineData(16, 40)]
    [InlineData(260, 300)]
    public void Random_rows_fold_to_the_bits_of_the_row_by_row_fold(int k, int rows)
    {
        var x = new DeterministicRandom((ulong)k).Uniform(rows * k, 3f);
        for (var r = 0; r < rows; r += 3)
        {
            x[(r * k) + ((r * 5) % k)] = 0;
            x[(r * k) + (k / 2)] = -0f;
        }

        // Split across calls at a point that is not a row block boundary.
        var split = rows / 3 * k;
        AssertSameBits(x, k, split);
    }

    [Fact]
    public void Mnist_images_with_their_zero_pixels_fold_to_the_same_bits()
    {
        var (images, _) = Mnist.TestSet(150);
        var x = images.SelectMany(img => img.Select(p => p / 255f)).ToArray();
        AssertSameBits(x, Mnist.Side * Mnist.Side, 0);
    }

    [Fact]
    public void Char_gpt_fc2_weights_as_rows_fold_to_the_same_bits_on_several_threads()
    {
        var model = OnnxModel.Load(Fixtures.Require("models/char-gpt/char-gpt-6l384.onnx"));
        var layer = GraphAnalyzer.Analyze(model).Layers.MaxBy(l => l.InFeatures)!;
        var (_, k, w) = Int4WeightOnlyPass.RowsOf(PassLayer.Of(layer));
        const int rows = 96;
        var x = w.Take(rows * k).Select(v => (float)v).ToArray();

        Assert.True(k >= 1024);
        AssertSameBits(x, k, 40 * k);
    }

    [Fact]
    public void A_block_with_infinity_keeps_the_zero_skip()
    {
        const int k = 24;
        var x = new DeterministicRandom(11).Uniform(10 * k, 1f);
        x[(2 * k) + 17] = float.PositiveInfinity;
        x[(2 * k) + 3] = 0;
        x[(7 * k) + 20] = float.NaN;
        AssertSameBits(x, k, 0);

        // Where row 2's x₃ is zero its product with x₁₇ = ∞ is skipped: H[3, 17] stays finite.
        var h = new InputHessian(k);
        h.Add(x);
        Assert.True(double.IsFinite(h.Matrix()[(3 * k) + 17]));
    }

    private static void AssertSameBits(float[] x, int k, int split)
    {
        var tiled = new InputHessian(k);
        if (split > 0)
        {
            tiled.Add(x.AsSpan(0, split));
        }

        tiled.Add(x.AsSpan(split));
        var expected = RowByRow(x, k);
        var actual = tiled.Matrix();
        Assert.Equal(x.Length / k, tiled.Rows);
        var mismatches = Enumerable.Range(0, k).SelectMany(i => Enumerable.Range(i, k - i).Select(j => (i, j)))
            .Where(p => BitConverter.DoubleToInt64Bits(expected[(p.i * k) + p.j]) != BitConverter.DoubleToInt64Bits(actual[(p.i * k) + p.j]))
            .Take(3).Select(p => $"H[{p.i},{p.j}]: {actual[(p.i * k) + p.j]:R} vs row-by-row {expected[(p.i * k) + p.j]:R}");
        Assert.Empty(mismatches);
    }

    // The fold's definition: rows in order, xᵢ·xⱼ multiplied then added to the upper triangle, rows with xᵢ = 0 skipped.
    private static double[] RowByRow(float[] x, int k)
    {
        var sum = new double[k * k];
        for (var r = 0; r < x.Length / k; r++)
        {
            for (var i = 0; i < k; i++)
            {
                double xi = x[(r * k) + i];
                if (xi == 0)
                {
                    continue;
                }

                for (var j = i; j < k; j++)
                {
                    var product = xi * x[(r * k) + j];
                    sum[(i * k) + j] += product;
                }
            }
        }

        return sum;
    }
}
