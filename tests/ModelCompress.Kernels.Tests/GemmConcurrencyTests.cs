using ModelCompress.Kernels;

namespace ModelCompress.Kernels.Tests;

/// <summary>The helper-thread pool under concurrent callers: one caller gets it, the others fall back; all exact.</summary>
public class GemmConcurrencyTests
{
    [Fact]
    public void Concurrent_multithreaded_products_are_all_exact()
    {
        var rng = new Random(31);
        var cases = Enumerable.Range(0, 6).Select(i =>
        {
            int m = 40 + (i * 17), k = 300 + (i * 5), n = 50 + (i * 13);
            var a = GemmTestData.Bytes(rng, m * k);
            var packed = PackedInt8Weights.Pack(GemmTestData.SBytes(rng, k * n), k, n);
            var expected = GemmTestData.Run(Int8GemmTier.Scalar, a, false, i * 20, m, packed);
            return (m, a, packed, zeroPoint: (byte)(i * 20), expected);
        }).ToArray();

        var failures = 0;
        Parallel.For(0, 48, new ParallelOptions { MaxDegreeOfParallelism = 4 }, j =>
        {
            var (m, a, packed, zeroPoint, expected) = cases[j % cases.Length];
            var c = new int[m * packed.N];
            Int8Gemm.Multiply(a, m, packed, c, zeroPoint, threads: 2 + (j % 3));
            if (!c.AsSpan().SequenceEqual(expected))
            {
                Interlocked.Increment(ref failures);
            }
        });

        Assert.Equal(0, failures);
    }
}
