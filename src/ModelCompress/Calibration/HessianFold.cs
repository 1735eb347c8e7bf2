using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelCompress.Calibration;

/// <summary>
/// Folds rows into the upper triangle of Σ xxᵀ (the kernel of <see cref="InputHessian.Add"/>) with a register-tiled
/// symmetric rank-k update: a block of rows is packed once into panels of eight channels (each panel's rows
/// contiguous), and each 4×8 tile of the sum is held in eight vector registers while every row of the block is folded
/// into it, so the sum is read and written once per block instead of once per row.
/// <para>
/// The bits are those of the plain row-by-row fold: every element still receives, in row order, the product
/// <c>xᵢ·xⱼ</c> (a multiply, then an add, never fused) of each row whose <c>xᵢ</c> is not zero. The tiles add the
/// products of zero <c>xᵢ</c> too; with finite inputs such a product is ±0 and adding ±0 leaves a sum unchanged,
/// because a sum that starts at +0 never becomes −0 (x + y is −0 only when both are −0). A block holding a non-finite
/// value (where 0·∞ would be NaN) is folded element by element with the skip instead.
/// </para>
/// </summary>
internal static class HessianFold
{
    // Channels per packed panel: two Vector256<double>, the width of one tile.
    private const int Panel = 8;

    // Rows packed at a time: a panel of this many rows (8 KB) stays in L1 while the tiles of its column sweep it.
    private const int RowBlock = 128;

    // Below this many channels a block's fold is too small to be worth handing to other threads.
    private const int ParallelChannels = 128;

    /// <summary>
    /// Adds the rows of <paramref name="values"/> ([rows, k] row-major, float or double) to <paramref name="sum"/>'s
    /// upper triangle (the elements below the diagonal inside its 8×8 diagonal blocks get their mirror's sums: callers
    /// read the upper triangle only).
    /// </summary>
    // Optimized at the first call: a build runs these kernels a handful of times on large inputs, too few calls for
    // tiered compilation to replace their unoptimized first code in time (same arithmetic either way).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Add<T>(double[] sum, int k, ReadOnlySpan<T> values)
        where T : unmanaged, INumberBase<T>
    {
        var rows = values.Length / k;
        var panels = k / Panel;

        // Column groups: each full panel, then the ragged tail (if any); a group owns the sum's columns it names, so
        // groups fold on separate threads without sharing an element.
        var groups = panels + (k % Panel == 0 ? 0 : 1);
        var pack = new double[Math.Min(RowBlock, rows) * panels * Panel];
        for (var r0 = 0; r0 < rows; r0 += RowBlock)
        {
            var n = Math.Min(RowBlock, rows - r0);
            var block = values.Slice(r0 * k, n * k);
            var tiled = IsFinite(block);
            if (tiled)
            {
                Pack(block, k, n, pack);
            }

            // The float block cannot enter a lambda; the parallel branch reads it through a copy of its array.
            if (k >= ParallelChannels)
            {
                var copy = block.ToArray();
                Parallel.For(0, groups, q => FoldColumns(sum, k, copy, n, pack, tiled, q));
            }
            else
            {
                for (var q = 0; q < groups; q++)
                {
                    FoldColumns(sum, k, block, n, pack, tiled, q);
                }
            }
        }
    }

    // Columns of group q: tiles down to the diagonal block; a ragged tail (or a non-finite block) element by element.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FoldColumns<T>(double[] sum, int k, ReadOnlySpan<T> block, int n, double[] pack, bool tiled, int q)
        where T : unmanaged, INumberBase<T>
    {
        var j0 = q * Panel;
        var j1 = Math.Min(k, j0 + Panel);
        var full = j1 - j0 == Panel;
        if (tiled && full)
        {
            // The diagonal block too (i0 = j0, j0 + 4): its elements below the diagonal get the products of their
            // mirror, in the same order; nothing reads the lower triangle (Matrix mirrors the upper).
            if (WideTiles)
            {
                for (var i0 = 0; i0 <= j0; i0 += Panel)
                {
                    WideTile(sum, k, pack, n, i0, j0);
                }

                return;
            }

            for (var i0 = 0; i0 <= j0 + (Panel / 2); i0 += Panel / 2)
            {
                Tile(sum, k, pack, n, i0, j0);
            }

            return;
        }

        Elements(sum, k, block, n, 0, j1, j0, j1);
    }

    // Rows i0..i0+3 × columns j0..j0+7 (a full panel, i0 ≤ j0 + 4): eight accumulators, one pass over the block.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile(double[] sum, int k, double[] pack, int n, int i0, int j0)
    {
        ref var p = ref MemoryMarshal.GetArrayDataReference(pack);
        ref var iPanel = ref Unsafe.Add(ref p, ((i0 / Panel) * n * Panel) + (i0 % Panel));
        ref var jPanel = ref Unsafe.Add(ref p, (j0 / Panel) * n * Panel);
        ref var acc = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(sum), (i0 * k) + j0);
        RegisterTile.Fold(ref acc, (nuint)k, ref iPanel, 1, Panel, ref jPanel, Panel, n, 1.0);
    }

    // 8×8 tiles need 19 vector registers: where AVX-512 gives 32, a whole panel of rows per pass halves the loads of
    // the column panel per product. Every element still gets its products in row order (same bits either way).
    private static readonly bool WideTiles = System.Runtime.Intrinsics.X86.Avx512F.VL.IsSupported;

    // Rows i0..i0+7 × columns j0..j0+7 (full panels, i0 ≤ j0, i0 a multiple of 8): sixteen accumulators, one pass.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WideTile(double[] sum, int k, double[] pack, int n, int i0, int j0)
    {
        ref var p = ref MemoryMarshal.GetArrayDataReference(pack);
        ref var b = ref Unsafe.Add(ref p, (i0 / Panel) * n * Panel);
        ref var x = ref Unsafe.Add(ref p, (j0 / Panel) * n * Panel);
        ref var acc = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(sum), (i0 * k) + j0);
        var s = (nuint)k;
        var a00 = Vector256.LoadUnsafe(ref acc);
        var a01 = Vector256.LoadUnsafe(ref acc, 4);
        var a10 = Vector256.LoadUnsafe(ref acc, s);
        var a11 = Vector256.LoadUnsafe(ref acc, s + 4);
        var a20 = Vector256.LoadUnsafe(ref acc, 2 * s);
        var a21 = Vector256.LoadUnsafe(ref acc, (2 * s) + 4);
        var a30 = Vector256.LoadUnsafe(ref acc, 3 * s);
        var a31 = Vector256.LoadUnsafe(ref acc, (3 * s) + 4);
        var a40 = Vector256.LoadUnsafe(ref acc, 4 * s);
        var a41 = Vector256.LoadUnsafe(ref acc, (4 * s) + 4);
        var a50 = Vector256.LoadUnsafe(ref acc, 5 * s);
        var a51 = Vector256.LoadUnsafe(ref acc, (5 * s) + 4);
        var a60 = Vector256.LoadUnsafe(ref acc, 6 * s);
        var a61 = Vector256.LoadUnsafe(ref acc, (6 * s) + 4);
        var a70 = Vector256.LoadUnsafe(ref acc, 7 * s);
        var a71 = Vector256.LoadUnsafe(ref acc, (7 * s) + 4);
        nuint t8 = 0;
        for (var t = 0; t < n; t++, t8 += Panel)
        {
            var x0 = Vector256.LoadUnsafe(ref x, t8);
            var x1 = Vector256.LoadUnsafe(ref x, t8 + 4);
            var v = Vector256.Create(Unsafe.Add(ref b, t8));
            a00 += v * x0;
            a01 += v * x1;
            v = Vector256.Create(Unsafe.Add(ref b, t8 + 1));
            a10 += v * x0;
            a11 += v * x1;
            v = Vector256.Create(Unsafe.Add(ref b, t8 + 2));
            a20 += v * x0;
            a21 += v * x1;
            v = Vector256.Create(Unsafe.Add(ref b, t8 + 3));
            a30 += v * x0;
            a31 += v * x1;
            v = Vector256.Create(Unsafe.Add(ref b, t8 + 4));
            a40 += v * x0;
            a41 += v * x1;
            v = Vector256.Create(Unsafe.Add(ref b, t8 + 5));
            a50 += v * x0;
            a51 += v * x1;
            v = Vector256.Create(Unsafe.Add(ref b, t8 + 6));
            a60 += v * x0;
            a61 += v * x1;
            v = Vector256.Create(Unsafe.Add(ref b, t8 + 7));
            a70 += v * x0;
            a71 += v * x1;
        }

        a00.StoreUnsafe(ref acc);
        a01.StoreUnsafe(ref acc, 4);
        a10.StoreUnsafe(ref acc, s);
        a11.StoreUnsafe(ref acc, s + 4);
        a20.StoreUnsafe(ref acc, 2 * s);
        a21.StoreUnsafe(ref acc, (2 * s) + 4);
        a30.StoreUnsafe(ref acc, 3 * s);
        a31.StoreUnsafe(ref acc, (3 * s) + 4);
        a40.StoreUnsafe(ref acc, 4 * s);
        a41.StoreUnsafe(ref acc, (4 * s) + 4);
        a50.StoreUnsafe(ref acc, 5 * s);
        a51.StoreUnsafe(ref acc, (5 * s) + 4);
        a60.StoreUnsafe(ref acc, 6 * s);
        a61.StoreUnsafe(ref acc, (6 * s) + 4);
        a70.StoreUnsafe(ref acc, 7 * s);
        a71.StoreUnsafe(ref acc, (7 * s) + 4);
    }

    // Upper-triangle elements (i, j), i in [i0, i1), j in [max(i, j0), j1), every row of the block, one at a time with the zero skip.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Elements<T>(double[] sum, int k, ReadOnlySpan<T> block, int n, int i0, int i1, int j0, int j1)
        where T : unmanaged, INumberBase<T>
    {
        for (var i = i0; i < i1; i++)
        {
            for (var j = Math.Max(i, j0); j < j1; j++)
            {
                var acc = sum[(i * k) + j];
                for (var r = 0; r < n; r++)
                {
                    var xi = double.CreateTruncating(block[(r * k) + i]);
                    if (xi != 0)
                    {
                        var product = xi * double.CreateTruncating(block[(r * k) + j]);
                        acc += product;
                    }
                }

                sum[(i * k) + j] = acc;
            }
        }
    }

    // Full panels of the block, panel-major: pack[(panel · n + r) · 8 + c] = x[r, panel · 8 + c].
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Pack<T>(ReadOnlySpan<T> block, int k, int n, double[] pack)
        where T : unmanaged, INumberBase<T>
    {
        var panels = k / Panel;
        for (var r = 0; r < n; r++)
        {
            var row = block.Slice(r * k, k);
            for (var q = 0; q < panels; q++)
            {
                var to = ((q * n) + r) * Panel;
                for (var c = 0; c < Panel; c++)
                {
                    pack[to + c] = double.CreateTruncating(row[(q * Panel) + c]);
                }
            }
        }
    }

    /// <summary>Whether every value is finite (the tiles then give the skip's bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool IsFinite<T>(ReadOnlySpan<T> block)
        where T : unmanaged, INumberBase<T>
    {
        foreach (var v in block)
        {
            if (!T.IsFinite(v))
            {
                return false;
            }
        }

        return true;
    }
}
