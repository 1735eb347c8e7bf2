using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ModelCompress.Kernels;

/// <summary>
/// An int8 weight matrix B[K,N] packed once for <see cref="Int8Gemm"/>: VNNI groups of 4 along K in panels of 16
/// columns, with each column's sum precomputed for zero-point compensation. Immutable and safe to share between
/// threads; every kernel tier reads the same layout.
/// </summary>
/// <remarks>
/// Layout: K is cut into blocks of <see cref="KBlockGroups"/> groups of 4 rows, N into panels of 16 columns. Block
/// by block, the panels' slices follow each other (block-major), and inside a slice group <c>g</c> (rows
/// <c>4g … 4g+3</c>) is 64 contiguous bytes, column-major by 4: byte <c>4j + t</c> is <c>B[4g+t, 16p+j]</c>. One
/// 32-byte load thus gives 8 columns × 4 depths, exactly the operand VPDPBUSD multiplies against a broadcast of 4
/// activation bytes. Block-major order keeps the weights a tile needs for one K block in one contiguous run, with
/// no power-of-two strides between panels to collide in cache sets. Rows past K and columns past N are zero, so
/// padded lanes add nothing. The data is 64-byte aligned in a pinned array, which never moves, so kernels read it
/// through a raw pointer.
/// </remarks>
public sealed unsafe class PackedInt8Weights
{
    /// <summary>Columns per panel (the micro-tile width NR).</summary>
    internal const int PanelWidth = 16;

    /// <summary>Depth of one VNNI group: VPDPBUSD sums 4 byte products into each int32 lane.</summary>
    internal const int GroupDepth = 4;

    /// <summary>Bytes of one group of one panel.</summary>
    internal const int PanelGroupBytes = PanelWidth * GroupDepth;

    /// <summary>
    /// Groups per K block (1,024 depths): a panel's slice of one block is 16 KB and stays in L1 while a tile's rows
    /// sweep over it.
    /// </summary>
    internal const int KBlockGroups = 256;

    private const int Alignment = 64;

    private readonly sbyte[] _storage;
    private readonly int _offset;
    private readonly int[] _columnSums;

    private PackedInt8Weights(int k, int n)
    {
        K = k;
        N = n;
        Groups = (k + GroupDepth - 1) / GroupDepth;
        Panels = (n + PanelWidth - 1) / PanelWidth;
        long bytes = (long)Panels * Groups * PanelGroupBytes;
        if (bytes > Array.MaxLength - Alignment)
        {
            throw new ArgumentOutOfRangeException(nameof(k), $"A {k}x{n} weight matrix is too large to pack.");
        }

        // Pinned (POH) so the address is stable; zero-initialized so padding rows/columns contribute nothing.
        _storage = GC.AllocateArray<sbyte>((int)bytes + Alignment, pinned: true);
        var address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_storage));
        _offset = (int)((Alignment - (address % Alignment)) % Alignment);
        _columnSums = new int[Panels * PanelWidth];
    }

    /// <summary>Depth (rows of B, columns of A).</summary>
    public int K { get; }

    /// <summary>Output columns.</summary>
    public int N { get; }

    /// <summary>Σ<sub>k</sub> B[k,n] for each column n (length <see cref="N"/>), used for zero-point compensation.</summary>
    public ReadOnlySpan<int> ColumnSums => _columnSums.AsSpan(0, N);

    /// <summary>Number of VNNI groups along K (K rounded up to a multiple of 4, divided by 4).</summary>
    internal int Groups { get; }

    /// <summary>Number of 16-column panels (N rounded up to a multiple of 16, divided by 16).</summary>
    internal int Panels { get; }

    /// <summary>Column sums padded with zeros to <see cref="Panels"/> × 16.</summary>
    internal int[] PaddedColumnSums => _columnSums;

    /// <summary>First byte of panel 0; stable for the object's lifetime (pinned array).</summary>
    internal sbyte* Data => (sbyte*)Unsafe.AsPointer(ref _storage[_offset]);

    /// <summary>Packs a row-major B[K,N] (ONNX MatMul weight layout).</summary>
    public static PackedInt8Weights Pack(ReadOnlySpan<sbyte> b, int k, int n) => PackCore(b, k, n, transposed: false);

    /// <summary>Packs B given as its transpose Bᵀ[N,K] row-major (ONNX Gemm with transB=1, PyTorch Linear).</summary>
    public static PackedInt8Weights PackTransposed(ReadOnlySpan<sbyte> bTransposed, int k, int n) =>
        PackCore(bTransposed, k, n, transposed: true);

    /// <summary>Reads back B[k,n] from the packed layout (for tests and diagnostics, not hot paths).</summary>
    public sbyte this[int k, int n]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(k);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(k, K);
            ArgumentOutOfRangeException.ThrowIfNegative(n);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(n, N);
            return _storage[_offset + (int)Offset(k, n)];
        }
    }

    /// <summary>Groups in the K block that starts at group <paramref name="g0"/> (a multiple of the block size).</summary>
    internal int BlockGroups(int g0) => Math.Min(KBlockGroups, Groups - g0);

    /// <summary>Byte offset of panel <paramref name="p"/>'s slice of the K block starting at group <paramref name="g0"/>.</summary>
    internal long SliceOffset(int p, int g0) => ((long)g0 * Panels + ((long)p * BlockGroups(g0))) * PanelGroupBytes;

    private long Offset(int k, int n)
    {
        int g = k / GroupDepth;
        int g0 = g - (g % KBlockGroups);
        return SliceOffset(n / PanelWidth, g0) + ((((g - g0) * PanelWidth) + (n % PanelWidth)) * GroupDepth) + (k % GroupDepth);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static PackedInt8Weights PackCore(ReadOnlySpan<sbyte> b, int k, int n, bool transposed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        if (b.Length != (long)k * n)
        {
            throw new ArgumentException($"Weights hold {b.Length} values; a {k}x{n} matrix needs {(long)k * n}.", nameof(b));
        }

        var packed = new PackedInt8Weights(k, n);
        var dst = packed._storage.AsSpan(packed._offset);
        var sums = packed._columnSums;
        for (int kk = 0; kk < k; kk++)
        {
            for (int nn = 0; nn < n; nn++)
            {
                sbyte w = transposed ? b[nn * k + kk] : b[kk * n + nn];
                dst[(int)packed.Offset(kk, nn)] = w;
                sums[nn] += w;
            }
        }

        return packed;
    }
}
