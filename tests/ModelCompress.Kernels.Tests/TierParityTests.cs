using ModelCompress.Kernels;

namespace ModelCompress.Kernels.Tests;

/// <summary>Every available tier gives exactly the scalar tier's bits.</summary>
public class TierParityTests
{
    [Theory]
    [MemberData(nameof(GemmTestData.AvailableTiers), MemberType = typeof(GemmTestData))]
    public void Every_small_shape_matches_scalar(Int8GemmTier tier)
    {
        // All m, n in 1..17 and k in 1..67: every micro-tile row count, every edge-panel width, every K tail.
        var rng = new Random(20240601);
        int mismatches = 0;
        var first = "";
        for (int k = 1; k <= 67; k++)
        {
            for (int n = 1; n <= 17; n++)
            {
                var packed = PackedInt8Weights.Pack(GemmTestData.SBytes(rng, k * n), k, n);
                for (int m = 1; m <= 17; m++)
                {
                    var a = GemmTestData.Bytes(rng, m * k);
                    bool signedA = ((m + n + k) & 1) == 1;
                    int zeroPoint = signedA ? rng.Next(-128, 128) : rng.Next(0, 256);
                    var expected = GemmTestData.Run(Int8GemmTier.Scalar, a, signedA, zeroPoint, m, packed);
                    var actual = GemmTestData.Run(tier, a, signedA, zeroPoint, m, packed);
                    if (!expected.AsSpan().SequenceEqual(actual))
                    {
                        first = mismatches++ == 0 ? $"m={m} k={k} n={n} signed={signedA} z={zeroPoint}" : first;
                    }
                }
            }
        }

        Assert.True(mismatches == 0, $"{mismatches} shapes differ from scalar; first: {first}");
    }

    [Theory]
    [MemberData(nameof(GemmTestData.AvailableTiers), MemberType = typeof(GemmTestData))]
    public void Large_shapes_match_scalar(Int8GemmTier tier)
    {
        // Several K blocks (1,024 depths each), M blocks, N blocks, and ragged edges in every dimension.
        (int M, int K, int N)[] shapes = [(1, 4099, 1000), (100, 2053, 77), (211, 1500, 290), (16, 768, 768)];
        var rng = new Random(99);
        foreach (var (m, k, n) in shapes)
        {
            var a = GemmTestData.Bytes(rng, m * k);
            var packed = PackedInt8Weights.Pack(GemmTestData.SBytes(rng, k * n), k, n);
            foreach (bool signedA in new[] { false, true })
            {
                int zeroPoint = signedA ? -3 : 131;
                var expected = GemmTestData.Run(Int8GemmTier.Scalar, a, signedA, zeroPoint, m, packed);
                Assert.Equal(expected, GemmTestData.Run(tier, a, signedA, zeroPoint, m, packed, threads: 2));
            }
        }
    }

    [Theory]
    [MemberData(nameof(GemmTestData.AvailableTiers), MemberType = typeof(GemmTestData))]
    public void Extreme_values_are_exact(Int8GemmTier tier)
    {
        // The corners of the operand ranges: where VPMADDUBSW would saturate and a wrong sign extension shows.
        byte[] aValues = [0, 1, 127, 128, 254, 255];
        sbyte[] bValues = [-128, -127, -1, 0, 1, 127];
        int m = 7, k = 301, n = 19;
        var rng = new Random(5);
        foreach (var (aFill, bFill) in new (int, int)[] { (255, -128), (255, 127), (0, -128), (128, -128), (-1, -1) })
        {
            var a = Enumerable.Range(0, m * k).Select(_ => aFill >= 0 ? (byte)aFill : aValues[rng.Next(aValues.Length)]).ToArray();
            var b = Enumerable.Range(0, k * n).Select(_ => bFill != -1 ? (sbyte)bFill : bValues[rng.Next(bValues.Length)]).ToArray();
            var packed = PackedInt8Weights.Pack(b, k, n);
            foreach (var (signedA, zeroPoint) in new[] { (false, 0), (false, 128), (false, 255), (true, -128), (true, 0), (true, 127) })
            {
                var expected = GemmTestData.Naive(a, signedA, zeroPoint, m, k, b, n).Select(v => checked((int)v));
                Assert.Equal(expected, GemmTestData.Run(tier, a, signedA, zeroPoint, m, packed));
            }
        }
    }

    [Theory]
    [MemberData(nameof(GemmTestData.AvailableTiers), MemberType = typeof(GemmTestData))]
    public void Thread_count_does_not_change_any_bit(Int8GemmTier tier)
    {
        int m = 150, k = 1100, n = 200;
        var rng = new Random(17);
        var a = GemmTestData.Bytes(rng, m * k);
        var packed = PackedInt8Weights.Pack(GemmTestData.SBytes(rng, k * n), k, n);
        var single = GemmTestData.Run(tier, a, true, 9, m, packed, threads: 1);
        foreach (int threads in new[] { 2, 3, 8, 0 })
        {
            Assert.Equal(single, GemmTestData.Run(tier, a, true, 9, m, packed, threads));
        }
    }
}
