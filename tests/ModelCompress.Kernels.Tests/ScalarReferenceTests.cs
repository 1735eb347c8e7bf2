using ModelCompress.Kernels;

namespace ModelCompress.Kernels.Tests;

/// <summary>The scalar tier defines the result; here it is checked against plain 64-bit arithmetic.</summary>
public class ScalarReferenceTests
{
    [Theory]
    [InlineData(1, 1, 1, false, 0)]
    [InlineData(3, 5, 7, false, 0)]
    [InlineData(7, 13, 19, false, 128)]
    [InlineData(6, 1031, 33, false, 255)]
    [InlineData(9, 4, 16, true, 0)]
    [InlineData(13, 67, 17, true, -128)]
    [InlineData(5, 1027, 40, true, 127)]
    [InlineData(70, 300, 70, true, 3)]
    public void Scalar_tier_equals_a_naive_long_product(int m, int k, int n, bool signedA, int zeroPoint)
    {
        var rng = new Random(1000 + (m * 31) + k + n);
        var a = GemmTestData.Bytes(rng, m * k);
        var b = GemmTestData.SBytes(rng, k * n);
        var expected = GemmTestData.Naive(a, signedA, zeroPoint, m, k, b, n);

        var actual = GemmTestData.Run(Int8GemmTier.Scalar, a, signedA, zeroPoint, m, PackedInt8Weights.Pack(b, k, n));

        Assert.Equal(expected.Select(v => checked((int)v)), actual);
    }

    [Fact]
    public void Public_overloads_apply_zero_points_on_each_activation_type()
    {
        var rng = new Random(7);
        int m = 4, k = 9, n = 5;
        var a = GemmTestData.Bytes(rng, m * k);
        var b = GemmTestData.SBytes(rng, k * n);
        var packed = Int8Gemm.Pack(b, k, n);

        var unsignedC = new int[m * n];
        Int8Gemm.Multiply(a, m, packed, unsignedC, zeroPointA: 200);
        Assert.Equal(GemmTestData.Naive(a, false, 200, m, k, b, n).Select(v => (int)v), unsignedC);

        var signedC = new int[m * n];
        var sa = a.Select(x => (sbyte)x).ToArray();
        Int8Gemm.Multiply(sa, m, packed, signedC, zeroPointA: -5);
        Assert.Equal(GemmTestData.Naive(a, true, -5, m, k, b, n).Select(v => (int)v), signedC);
    }

    [Fact]
    public void Sums_wrap_modulo_two_to_the_32_like_vpdpbusd()
    {
        // 255 · (−128) · 70,000 = −2,284,800,000 does not fit int32; VPDPBUSD wraps, so must every tier.
        int m = 2, k = 70_000, n = 3;
        var a = Enumerable.Repeat((byte)255, m * k).ToArray();
        var b = Enumerable.Repeat((sbyte)-128, k * n).ToArray();
        var expected = GemmTestData.Naive(a, false, 0, m, k, b, n);
        Assert.True(expected[0] < int.MinValue);
        var packed = PackedInt8Weights.Pack(b, k, n);
        foreach (var kernel in Int8GemmKernelFactory.Available)
        {
            Assert.Equal(expected.Select(v => unchecked((int)v)), GemmTestData.Run(kernel.Tier, a, false, 0, m, packed));
        }
    }
}
