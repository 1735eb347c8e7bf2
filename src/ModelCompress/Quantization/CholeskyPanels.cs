using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ModelCompress.Calibration;

namespace ModelCompress.Quantization;

/// <summary>
/// <see cref="Cholesky.TryLower(double[], int)"/> in panels of columns: a panel's columns are factored with their updates kept to
/// the panel, then the panel's updates reach the trailing rows in one pass of 4×8 register tiles (the panel packed
/// once, column by column), so the trailing matrix is read and written once per panel instead of once per column.
/// <para>
/// Every element still gets <c>(−L[i, j])·L[m, j]</c> (a multiply, then an add, never fused) for j in column order,
/// and its pivot division at the same point, as the column-at-a-time factorization does: the same bits. The tiles also
/// add the products of zero multipliers (the column-at-a-time update skips them), which are ±0 when the panel is
/// finite; adding ±0 leaves an element unchanged unless it is −0, and an element that starts finite and not −0 never
/// becomes −0 (a sum is −0 only when both terms are). So panels apply only to such a matrix (<see cref="Applies"/>),
/// and a panel holding a non-finite value is applied column by column with the skip.
/// </para>
/// </summary>
internal static class CholeskyPanels
{
    /// <summary>Columns per panel.</summary>
    private const int Depth = 32;

    private const int TileRows = 4;

    private const int TileColumns = 8;

    // Below this many trailing rows a panel's update is too small to be worth handing to other threads.
    private const int ParallelRows = 192;

    /// <summary>Whether the lower triangle is finite and free of −0 (the panels then give the column-at-a-time bits).</summary>
    public static bool Applies(double[] a, int n)
    {
        for (var i = 0; i < n; i++)
        {
            foreach (var v in a.AsSpan(i * n, i + 1))
            {
                if (!double.IsFinite(v) || (v == 0 && double.IsNegative(v)))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>L in the lower triangle (the upper triangle is left for the caller to clear); false at a bad pivot.</summary>
    // Optimized at the first call: a build runs these kernels a handful of times on large inputs, too few calls for
    // tiered compilation to replace their unoptimized first code in time (same arithmetic either way).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryLower(double[] a, int n)
    {
        // The panel's packed columns lie `stride` apart, not n: rows of a power-of-two multiple of 4 KB apart (n = 1536:
        // 12 KB) all fall in one L1 set, and a tile's 32 column reads would evict each other.
        var stride = n + TileColumns;
        var pack = new double[Depth * stride];
        var column = new double[Depth];
        for (var j0 = 0; j0 < n; j0 += Depth)
        {
            var j1 = Math.Min(j0 + Depth, n);
            if (!FactorPanel(a, n, j0, j1, column))
            {
                return false;
            }

            if (j1 == n)
            {
                break;
            }

            if (!PanelIsFinite(a, n, j0, j1))
            {
                ColumnByColumn(a, n, j0, j1);
                continue;
            }

            // pack[t · stride + m] = L[m, j0 + t]: the panel's column t, contiguous along the rows m.
            for (var m = j1; m < n; m++)
            {
                for (var t = 0; t < j1 - j0; t++)
                {
                    pack[(t * stride) + m] = a[(m * n) + j0 + t];
                }
            }

            var groups = (n - j1 + TileRows - 1) / TileRows;
            var (p0, p1) = (j0, j1);
            if (n - j1 > ParallelRows)
            {
                Parallel.For(0, groups, g => Trailing(a, n, pack, stride, p0, p1, j1 + (g * TileRows)));
            }
            else
            {
                for (var g = 0; g < groups; g++)
                {
                    Trailing(a, n, pack, stride, j0, j1, j1 + (g * TileRows));
                }
            }
        }

        return true;
    }

    // Columns j0..j1−1 as the column-at-a-time factorization makes them, their updates kept to columns below j1.
    // Column j's panel rows are read from a contiguous copy (`column`; the column does not change while it is used):
    // in place they lie n apart and, for n a multiple of 512, in one L1 set.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool FactorPanel(double[] a, int n, int j0, int j1, double[] column)
    {
        for (var j = j0; j < j1; j++)
        {
            if (!Cholesky.TryPivot(a, n, j))
            {
                return false;
            }

            for (var m = j + 1; m < j1; m++)
            {
                column[m - j0] = a[(m * n) + j];
            }

            for (var i = j + 1; i < n; i++)
            {
                var lij = a[(i * n) + j];
                if (lij == 0)
                {
                    continue;
                }

                var last = Math.Min(i, j1 - 1);
                for (var m = j + 1; m <= last; m++)
                {
                    var product = -lij * column[m - j0];
                    a[(i * n) + m] += product;
                }
            }
        }

        return true;
    }

    // Rows i0..i0+3 (fewer at the bottom), trailing columns j1..i: full 4×8 tiles left of the rows' diagonal, the rest
    // element by element with the skip.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Trailing(double[] a, int n, double[] pack, int stride, int j0, int j1, int i0)
    {
        var rows = Math.Min(TileRows, n - i0);
        var m = j1;
        if (rows == TileRows)
        {
            for (; m + TileColumns <= i0; m += TileColumns)
            {
                Tile(a, n, pack, stride, j0, j1, i0, m);
            }
        }

        for (var i = i0; i < i0 + rows; i++)
        {
            for (var c = m; c <= i; c++)
            {
                var acc = a[(i * n) + c];
                for (var j = j0; j < j1; j++)
                {
                    var lij = a[(i * n) + j];
                    if (lij != 0)
                    {
                        var product = -lij * pack[((j - j0) * stride) + c];
                        acc += product;
                    }
                }

                a[(i * n) + c] = acc;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile(double[] a, int n, double[] pack, int stride, int j0, int j1, int i0, int m)
    {
        ref var s = ref MemoryMarshal.GetArrayDataReference(a);
        ref var x = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(pack), m);
        RegisterTile.Fold(ref Unsafe.Add(ref s, (i0 * n) + m), (nuint)n, ref Unsafe.Add(ref s, (i0 * n) + j0), (nuint)n, 1, ref x, (nuint)stride, j1 - j0, -1.0);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool PanelIsFinite(double[] a, int n, int j0, int j1)
    {
        for (var i = j0; i < n; i++)
        {
            foreach (var v in a.AsSpan((i * n) + j0, j1 - j0))
            {
                if (!double.IsFinite(v))
                {
                    return false;
                }
            }
        }

        return true;
    }

    // The panel's updates of the trailing rows, column by column with the skip (a panel with a non-finite value).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ColumnByColumn(double[] a, int n, int j0, int j1)
    {
        for (var j = j0; j < j1; j++)
        {
            for (var i = j1; i < n; i++)
            {
                var lij = a[(i * n) + j];
                if (lij == 0)
                {
                    continue;
                }

                for (var m = j1; m <= i; m++)
                {
                    var product = -lij * a[(m * n) + j];
                    a[(i * n) + m] += product;
                }
            }
        }
    }
}
