using ModelCompress.Calibration;
using ModelCompress.Onnx;
using ModelCompress.Quantization;
using ModelCompress.Testing;

namespace ModelCompress.Tests.Quantization;

/// <summary>
/// The panel Cholesky and the factor's inverse L⁻¹ give the bits of the column-at-a-time / row-by-row ones (GPTQ factors, cache keys and outputs must not move):
/// on damped Hessians of random rows with dead channels, of MNIST images (many exact zeros, a ragged last panel and
/// tile), on the order-reversed Hessian GPTQ factors, and on a matrix that is not positive definite.
/// </summary>
public sealed class CholeskyPanelsTests
{
    [Theory]
    [InlineData(70)]
    [InlineData(259)]
    public void Damped_random_hessians_factor_to_the_column_by_column_bits(int k)
    {
        var x = new DeterministicRandom((ulong)k).Uniform(2 * k * k, 1f);
        for (var r = 0; r < 2 * k; r++)
        {
            x[(r * k) + 5] = 0;
        }

        var lower = AssertAlike(Damped(x, k), k);
        var inverse = Cholesky.LowerInverse(lower, k);
        var rowByRow = LowerInverseTilesTests.PlainInverse(lower, k);
        Assert.Equal(rowByRow.Select(BitConverter.DoubleToInt64Bits), inverse.Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void Mnist_hessian_its_factor_inverse_and_its_reversed_order_keep_the_plain_bits()
    {
        var (images, _) = Mnist.TestSet(400);
        const int k = Mnist.Side * Mnist.Side;
        var h = Damped(images.SelectMany(img => img.Select(p => p / 255f)).ToArray(), k);
        var lower = AssertAlike(h, k);

        var inverse = Cholesky.LowerInverse(lower, k);
        var rowByRow = LowerInverseTilesTests.PlainInverse(lower, k);
        Assert.Equal(rowByRow.Select(BitConverter.DoubleToInt64Bits), inverse.Select(BitConverter.DoubleToInt64Bits));

        // GPTQ factors the Hessian with its order reversed (InverseHessianFactor): the same bits there too.
        Array.Reverse(h);
        AssertAlike(h, k);
    }

    [Fact]
    public void A_matrix_that_is_not_positive_definite_fails_at_the_same_pivot()
    {
        const int k = 100;
        var h = Damped(new DeterministicRandom(2).Uniform(3 * k * k, 1f), k);
        h[(80 * k) + 80] = -1;
        Assert.False(Cholesky.TryLower((double[])h.Clone(), k, allowPanels: true));
        Assert.False(Cholesky.TryLower((double[])h.Clone(), k, allowPanels: false));
    }

    private static double[] Damped(float[] rows, int k)
    {
        var hessian = new InputHessian(k);
        hessian.Add(rows);
        var h = hessian.Matrix();
        for (var i = 0; i < k; i++)
        {
            h[(i * k) + i] += 0.01 + (h[(i * k) + i] == 0 ? 1 : 0);
        }

        return h;
    }

    private static double[] AssertAlike(double[] a, int k)
    {
        var panels = (double[])a.Clone();
        var columns = (double[])a.Clone();
        Assert.True(Cholesky.TryLower(panels, k, allowPanels: true));
        Assert.True(Cholesky.TryLower(columns, k, allowPanels: false));
        Assert.Equal(columns.Select(BitConverter.DoubleToInt64Bits), panels.Select(BitConverter.DoubleToInt64Bits));
        return panels;
    }
}
