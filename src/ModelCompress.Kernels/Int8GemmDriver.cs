using System.Runtime.InteropServices;

namespace ModelCompress.Kernels;

/// <summary>
/// Runs a GEMM on one tier: packs activations, precomputes zero-point compensation, cuts the output into tiles
/// and hands them to worker threads. Shared by all tiers, so blocking and threading are identical everywhere.
/// </summary>
/// <remarks>
/// <para>Packed activations (per tier format): rows are cut into micro-panels of MR rows and K into the weights' K
/// blocks; block-major like the weights, each micro-panel's slice of a block holds, per group, MR rows × 4 bytes
/// (or 4 int16 when the tier widens), so the kernel reads it strictly sequentially and a block's slices are one
/// contiguous run. Signed activations are shifted to unsigned here by flipping the top bit (a + 128), because
/// VPDPBUSD multiplies unsigned by signed. Rows past M and depths past K are zero.</para>
/// <para>Blocking (after Goto &amp; van de Geijn, "Anatomy of high-performance matrix multiplication", 2008): a tile
/// is an M block of about <see cref="MBlockRows"/> rows × an N block of up to 16 panels. Inside a tile the K dimension is cut
/// into blocks of <see cref="KBlockGroups"/> groups (1,024 depths); for each K block and weight panel (16 KB, stays
/// in L1) the micro-panels of the M block (in L2) are swept. The first K block starts from the compensation row,
/// later ones add into C.</para>
/// <para>Determinism: each output element belongs to exactly one tile and is summed in wrapping int32, whose
/// result does not depend on order, so neither the tier, the tile shape nor the thread count changes a bit; the
/// float epilogue runs per element on finished sums.</para>
/// <para>Kernels, packing and epilogues are compiled fully optimized on first call
/// (<c>MethodImplOptions.AggressiveOptimization</c>): the engine may run a layer's product only a handful of times,
/// too few for tiered compilation to replace slow first-tier code.</para>
/// </remarks>
internal static unsafe class Int8GemmDriver
{
    /// <summary>K block size in groups of 4 depths (fixed by the weight layout).</summary>
    public const int KBlockGroups = PackedInt8Weights.KBlockGroups;

    /// <summary>
    /// Rows per M block (rounded up to whole micro-panels): the block's activations for one K block (rows × 1 KB)
    /// take about a quarter of a 1 MB L2, and one M block covers typical token counts, so weights stream once.
    /// </summary>
    public const int MBlockRows = 256;

    /// <summary>Largest N block in 16-column panels.</summary>
    public const int MaxNBlockPanels = 16;

    /// <summary>Below this many multiply-adds one thread beats the cost of waking others.</summary>
    public const long ParallelThreshold = 1L << 20;

    /// <summary>
    /// C = A·B − zeroPoint·colsum(B) for row-major A[m, K] of unsigned bytes (<paramref name="signedA"/>: of signed
    /// bytes reinterpreted, shifted by +128 here), with <paramref name="shiftedZeroPoint"/> the activation zero point
    /// on the unsigned scale. Writes int32 C[m, N] to <paramref name="c"/>, or, with an epilogue, hands finished
    /// tiles to it instead (<paramref name="c"/> may then be null).
    /// </summary>
    public static void Run(
        Int8GemmKernel kernel, byte* a, int m, bool signedA, int shiftedZeroPoint, PackedInt8Weights b, int* c,
        int threads, Int8GemmEpilogue? epilogue)
    {
        if (m == 0)
        {
            return;
        }

        using var job = new Int8GemmJob(kernel, a, m, signedA, shiftedZeroPoint, b, c, epilogue, PlanThreads(m, b, threads));
        job.Execute();
    }

    /// <summary>Worker count: the request (0 = all cores), or 1 when the product is too small to share.</summary>
    public static int PlanThreads(int m, PackedInt8Weights b, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        int requested = threads == 0 ? Environment.ProcessorCount : threads;
        long work = (long)m * b.K * b.N;
        return work < ParallelThreshold ? 1 : requested;
    }

    /// <summary>Allocates 64-byte aligned native memory (freed with <see cref="Free"/>).</summary>
    public static T* Allocate<T>(long count)
        where T : unmanaged => (T*)NativeMemory.AlignedAlloc((nuint)(count * sizeof(T)), 64);

    /// <summary>Frees memory from <see cref="Allocate{T}"/>.</summary>
    public static void Free(void* p) => NativeMemory.AlignedFree(p);
}
