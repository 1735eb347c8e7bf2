using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ModelCompress.Calibration;

namespace ModelCompress.Quantization;

/// <summary>
/// X = L⁻¹ of a lower triangular L by forward substitution, four rows at a time: the terms of the rows already
/// solved are folded into each 4×8 block of the new rows by the register tile (<see cref="RegisterTile"/>), so X is
/// read once per four rows instead of once per row (the row-by-row loop streams the whole solved triangle for every
/// row and is bound by memory on GPTQ's 1536-channel factors). The solved rows are also copied into panels of eight
/// columns (each panel's rows contiguous), so a tile reads X sequentially instead of one row — one page — per term.
/// <para>
/// The bits are those of the row-by-row substitution (<c>Cholesky.LowerInverse</c> on a factor the tiles refuse): every
/// element gets, in increasing k, the product <c>(−L_ik)·X_kc</c> (a multiply, then an add) of each k with
/// L_ik ≠ 0 and c ≤ k, then one multiply by 1 / L_ii. The tiles add, besides, the products of L_ik = 0 and of
/// X_kc = +0 above X's diagonal: with finite L and X each is ±0, and adding ±0 leaves a sum that started at +0
/// unchanged (such a sum never becomes −0). So L must be finite, and a row that comes out non-finite stops the tiles
/// (the caller solves again row by row).
/// </para>
/// </summary>
internal static class LowerInverseTiles
{
    // Rows solved together: the height of one register tile.
    private const int Rows = 4;

    // Columns per tile.
    private const int Columns = 8;

    // From this many solved rows a block's tiles are spread over threads (each tile owns its elements).
    private const int ParallelRows = 384;

    /// <summary>
    /// Writes L⁻¹ into <paramref name="x"/> (row-major [n, n], all +0 on entry; zero above the diagonal on return).
    /// False when a row came out non-finite: <paramref name="x"/> is then partly written.
    /// </summary>
    // Optimized at the first call: a build runs these kernels a handful of times on large inputs, too few calls for
    // tiered compilation to replace their unoptimized first code in time (same arithmetic either way).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TrySolve(double[] l, int n, double[] x)
    {
        // pack[(p · n + k) · 8 + c] = X[k, 8p + c]: panel p's rows k ≥ 8p, written as each row is solved.
        var pack = new double[(long)((n + Columns - 1) / Columns) * n * Columns];
        for (var i0 = 0; i0 < n; i0 += Rows)
        {
            var height = Math.Min(Rows, n - i0);

            // Columns [0, tiled) of the block have every term k < i0 from the tiles; the loop below adds the rest.
            var tiled = height == Rows ? i0 / Columns * Columns : 0;
            var start = i0;
            if (tiled > 0 && i0 >= ParallelRows)
            {
                Parallel.For(0, tiled / Columns, p => Tile(l, n, x, pack, start, p * Columns));
            }
            else
            {
                for (var c0 = 0; c0 < tiled; c0 += Columns)
                {
                    Tile(l, n, x, pack, i0, c0);
                }
            }

            for (var i = i0; i < i0 + height; i++)
            {
                if (!Finish(l, n, x, i, i0, tiled))
                {
                    return false;
                }

                for (var c = 0; c <= i; c++)
                {
                    pack[((((long)c / Columns * n) + i) * Columns) + (c % Columns)] = x[(i * n) + c];
                }
            }
        }

        return true;
    }

    // Rows i0..i0+3 × columns c0..c0+7: the terms k = c0 … i0 − 1 in order (those with k < c are X_kc = +0).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile(double[] l, int n, double[] x, double[] pack, int i0, int c0)
    {
        ref var acc = ref MemoryMarshal.GetArrayDataReference(x);
        ref var b = ref MemoryMarshal.GetArrayDataReference(l);
        ref var panel = ref MemoryMarshal.GetArrayDataReference(pack);
        RegisterTile.Fold(
            ref Unsafe.Add(ref acc, (i0 * n) + c0), (nuint)n,
            ref Unsafe.Add(ref b, (i0 * n) + c0), (nuint)n, 1,
            ref Unsafe.Add(ref panel, (nint)(((long)c0 * n) + ((long)c0 * Columns))), Columns,
            i0 - c0, -1.0);
    }

    // Row i: the terms the tiles did not add (k < i0 on columns from tiled on; every k ≥ i0), in k order, then the scale.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool Finish(double[] l, int n, double[] x, int i, int i0, int tiled)
    {
        var row = x.AsSpan(i * n, i + 1);
        row[i] = 1;
        for (var k = 0; k < i; k++)
        {
            var lik = l[(i * n) + k];
            var from = k < i0 ? tiled : 0;
            if (lik != 0 && from <= k)
            {
                DoubleKernels.AddScaled(row[from..(k + 1)], -lik, x.AsSpan((k * n) + from, k + 1 - from));
            }
        }

        var inv = 1 / l[(i * n) + i];
        var finite = true;
        for (var c = 0; c <= i; c++)
        {
            row[c] *= inv;
            finite &= double.IsFinite(row[c]);
        }

        return finite;
    }
}
