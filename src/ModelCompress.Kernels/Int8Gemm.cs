using System.Runtime.InteropServices;

namespace ModelCompress.Kernels;

/// <summary>
/// Exact int8 matrix products, C[M,N] = (A[M,K] − z_A)·B[K,N], with the int32 semantics of x86 VPDPBUSD on every
/// CPU: each tier (<see cref="Int8GemmTier"/>) gives the same bits, so a layer simulated here behaves identically on
/// a laptop, a CI runner and a VNNI server. B is packed once (<see cref="Pack"/>) and reused.
/// </summary>
/// <remarks>
/// Zero points (Jacob et al. 2018, Eq. 7): Σ(a − z)·w = Σa·w − z·Σw, so the activation zero point costs one
/// precomputed column sum per output. VPDPBUSD multiplies unsigned by signed bytes; signed activations are shifted
/// into 0…255 by adding 128, which adds 128·Σw — compensated the same way with z + 128. Weights are symmetric (zero
/// point 0), as ONNX Runtime produces them for MatMulInteger/QLinearMatMul with int8 weights.
/// Sums wrap modulo 2³² exactly like the hardware; the true value is always recovered when it fits int32, which
/// holds whenever K·255·128 &lt; 2³¹ (K ≤ 65,793) and in practice far beyond.
/// </remarks>
public static partial class Int8Gemm
{
    /// <summary>The tier every call uses (the best available, or the one <c>MODELCOMPRESS_GEMM_KERNEL</c> forces).</summary>
    /// <exception cref="InvalidOperationException">MC9101/MC9102: the forced tier is unknown or cannot run here.</exception>
    public static Int8GemmTier ActiveTier => Int8GemmKernelFactory.Active.Tier;

    /// <summary>The active tier's name: <c>avxvnni</c>, <c>avx2</c>, <c>vector128</c> or <c>scalar</c>.</summary>
    public static string ActiveTierName => Int8GemmKernelFactory.Active.Name;

    /// <summary>Every tier this process can run, fastest first.</summary>
    public static IReadOnlyList<Int8GemmTier> AvailableTiers { get; } =
        Int8GemmKernelFactory.Available.Select(k => k.Tier).ToArray();

    /// <summary>Packs row-major weights B[K,N] once for any number of products.</summary>
    public static PackedInt8Weights Pack(ReadOnlySpan<sbyte> b, int k, int n) => PackedInt8Weights.Pack(b, k, n);

    /// <summary>C = (A − z_A)·B for uint8 activations A[m,K] (row-major); C is int32 [m,N], row-major.</summary>
    /// <param name="a">Activations, m·K values.</param>
    /// <param name="m">Rows of A and C.</param>
    /// <param name="b">Packed weights.</param>
    /// <param name="c">Output, m·N values.</param>
    /// <param name="zeroPointA">Activation zero point.</param>
    /// <param name="threads">Worker threads; 0 uses every core. The result does not depend on it.</param>
    public static void Multiply(
        ReadOnlySpan<byte> a, int m, PackedInt8Weights b, Span<int> c, byte zeroPointA = 0, int threads = 0) =>
        Multiply(Int8GemmKernelFactory.Active, a, signedA: false, zeroPointA, m, b, c, threads);

    /// <summary>C = (A − z_A)·B for int8 activations A[m,K]; see the uint8 overload.</summary>
    public static void Multiply(
        ReadOnlySpan<sbyte> a, int m, PackedInt8Weights b, Span<int> c, sbyte zeroPointA = 0, int threads = 0) =>
        Multiply(Int8GemmKernelFactory.Active, MemoryMarshal.AsBytes(a), signedA: true, zeroPointA + 128, m, b, c, threads);

    /// <summary>The int32 product on a given tier (tests and benchmarks compare tiers with it).</summary>
    /// <param name="kernel">Tier to run on.</param>
    /// <param name="a">Activation bytes; int8 values reinterpreted when <paramref name="signedA"/>.</param>
    /// <param name="signedA">Whether <paramref name="a"/> holds int8 values.</param>
    /// <param name="shiftedZeroPoint">Zero point on the unsigned scale (int8 zero point + 128 when signed).</param>
    /// <param name="m">Rows.</param>
    /// <param name="b">Packed weights.</param>
    /// <param name="c">Output.</param>
    /// <param name="threads">Worker threads (0 = all cores).</param>
    internal static unsafe void Multiply(
        Int8GemmKernel kernel, ReadOnlySpan<byte> a, bool signedA, int shiftedZeroPoint, int m, PackedInt8Weights b,
        Span<int> c, int threads)
    {
        CheckOperands(a.Length, m, b);
        CheckOutput(c.Length, m, b.N, nameof(c));
        fixed (byte* pa = a)
        fixed (int* pc = c)
        {
            Int8GemmDriver.Run(kernel, pa, m, signedA, shiftedZeroPoint, b, pc, threads, epilogue: null);
        }
    }

    private static void CheckOperands(int aLength, int m, PackedInt8Weights b)
    {
        ArgumentNullException.ThrowIfNull(b);
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        if (aLength != (long)m * b.K)
        {
            throw new ArgumentException($"Activations hold {aLength} values; [{m}, {b.K}] needs {(long)m * b.K}.", "a");
        }
    }

    private static void CheckOutput(int length, int m, int n, string name)
    {
        if (length != (long)m * n)
        {
            throw new ArgumentException($"The output holds {length} values; [{m}, {n}] needs {(long)m * n}.", name);
        }
    }
}
