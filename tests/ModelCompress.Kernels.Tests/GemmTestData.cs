using ModelCompress.Kernels;

namespace ModelCompress.Kernels.Tests;

/// <summary>Seeded operands and the long-arithmetic definition of the product the kernels must reproduce.</summary>
internal static class GemmTestData
{
    public static byte[] Bytes(Random rng, int count)
    {
        var v = new byte[count];
        rng.NextBytes(v);
        return v;
    }

    public static sbyte[] SBytes(Random rng, int count)
    {
        var v = new sbyte[count];
        rng.NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(v.AsSpan()));
        return v;
    }

    /// <summary>Σₖ (a[i,k] − z)·b[k,j] in 64-bit, with a read as uint8 or int8.</summary>
    public static long[] Naive(ReadOnlySpan<byte> a, bool signedA, int zeroPoint, int m, int k, ReadOnlySpan<sbyte> b, int n)
    {
        var c = new long[(long)m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                long sum = 0;
                for (int kk = 0; kk < k; kk++)
                {
                    long av = signedA ? (sbyte)a[i * k + kk] : a[i * k + kk];
                    sum += (av - zeroPoint) * b[kk * n + j];
                }

                c[i * n + j] = sum;
            }
        }

        return c;
    }

    /// <summary>The product on one tier; <paramref name="zeroPoint"/> is on A's own scale (int8 or uint8).</summary>
    public static int[] Run(Int8GemmTier tier, byte[] a, bool signedA, int zeroPoint, int m, PackedInt8Weights b, int threads = 1)
    {
        var c = new int[m * b.N];
        Int8Gemm.Multiply(Int8GemmKernelFactory.Get(tier), a, signedA, signedA ? zeroPoint + 128 : zeroPoint, m, b, c, threads);
        return c;
    }

    public static TheoryData<Int8GemmTier> AvailableTiers()
    {
        var data = new TheoryData<Int8GemmTier>();
        foreach (var k in Int8GemmKernelFactory.Available)
        {
            data.Add(k.Tier);
        }

        return data;
    }
}
