using ModelCompress.Kernels;

namespace ModelCompress.Kernels.Tests;

public class PackedInt8WeightsTests
{
    [Fact]
    public void Packing_keeps_every_weight_and_sums_each_column()
    {
        int k = 23, n = 37;
        var b = GemmTestData.SBytes(new Random(3), k * n);
        var packed = PackedInt8Weights.Pack(b, k, n);
        Assert.Equal((k, n), (packed.K, packed.N));
        for (int kk = 0; kk < k; kk++)
        {
            for (int nn = 0; nn < n; nn++)
            {
                Assert.Equal(b[kk * n + nn], packed[kk, nn]);
            }
        }

        var sums = Enumerable.Range(0, n).Select(j => Enumerable.Range(0, k).Sum(i => (int)b[i * n + j])).ToArray();
        Assert.Equal(sums, packed.ColumnSums.ToArray());
    }

    [Fact]
    public void Transposed_packing_equals_packing_the_transpose()
    {
        int k = 9, n = 20;
        var b = GemmTestData.SBytes(new Random(4), k * n);
        var bT = new sbyte[n * k];
        for (int kk = 0; kk < k; kk++)
        {
            for (int nn = 0; nn < n; nn++)
            {
                bT[nn * k + kk] = b[kk * n + nn];
            }
        }

        var direct = PackedInt8Weights.Pack(b, k, n);
        var fromTransposed = PackedInt8Weights.PackTransposed(bT, k, n);
        var a = GemmTestData.Bytes(new Random(5), 3 * k);
        Assert.Equal(GemmTestData.Run(Int8GemmTier.Scalar, a, false, 0, 3, direct), GemmTestData.Run(Int8GemmTier.Scalar, a, false, 0, 3, fromTransposed));
        Assert.Equal(direct.ColumnSums.ToArray(), fromTransposed.ColumnSums.ToArray());
    }

    [Fact]
    public void Bad_shapes_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => PackedInt8Weights.Pack(new sbyte[5], 2, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => PackedInt8Weights.Pack([], 0, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => PackedInt8Weights.Pack([], 3, 0));
        var packed = PackedInt8Weights.Pack(new sbyte[6], 2, 3);
        Assert.Throws<ArgumentException>(() => Int8Gemm.Multiply(new byte[5], 2, packed, new int[6]));
        Assert.Throws<ArgumentException>(() => Int8Gemm.Multiply(new byte[4], 2, packed, new int[5]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Int8Gemm.Multiply(new byte[4], 2, packed, new int[6], threads: -1));
    }

    [Fact]
    public void Zero_rows_is_an_empty_product()
    {
        var packed = PackedInt8Weights.Pack(new sbyte[6], 2, 3);
        Assert.Null(Record.Exception(() => Int8Gemm.Multiply(ReadOnlySpan<byte>.Empty, 0, packed, Span<int>.Empty)));
        Assert.Throws<ArgumentException>(() => Int8Gemm.Multiply(ReadOnlySpan<byte>.Empty, 0, packed, new int[1]));
    }
}
