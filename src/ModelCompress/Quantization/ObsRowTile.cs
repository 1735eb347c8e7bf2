using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ModelCompress.Calibration;

namespace ModelCompress.Quantization;

/// <summary>
/// The solver's lazy batch update for four rows at once: each 4×8 tile of W's free columns is held in eight vector
/// registers while the batch's rows of U are folded into it, so U is read once per four rows instead of once per row.
/// <para>
/// Every element still gets <c>(−e_j)·U[j, c]</c> (a multiply, then an add, never fused) for j in column order, as
/// the row-at-a-time update does; the tile also adds the products of zero errors, which are ±0 when U is finite, and
/// adding ±0 leaves a value unchanged unless it is −0 (a sum is −0 only when both terms are). So the tile applies
/// only to finite weights without −0 and a finite U (<see cref="Applies"/>); anything else takes the row update.
/// </para>
/// <para>
/// The tiles read U from a copy packed once per solve (<see cref="Pack"/>): in place, a tile's batch rows of U lie K
/// apart, and for K a multiple of 512 (char-GPT's 384 and 1536) they share a few L1 sets and evict each other.
/// </para>
/// </summary>
internal static class ObsRowTile
{
    /// <summary>Rows per tile.</summary>
    public const int Rows = 4;

    private const int Width = 8;

    /// <summary>Whether the tiled update gives the row update's bits for these weights and this factor.</summary>
    public static bool Applies(double[] weights, InverseHessianFactor factor)
    {
        foreach (var v in weights)
        {
            if (!double.IsFinite(v) || (v == 0 && double.IsNegative(v)))
            {
                return false;
            }
        }

        foreach (var v in factor.Upper)
        {
            if (!double.IsFinite(v))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// U's rows packed for the tiles: for each batch [i1, i2) (i1 a multiple of <paramref name="batch"/>), the full
    /// panels of eight columns from i2 on, panel after panel, each panel's batch rows contiguous
    /// (<c>[p][j − i1][c]</c>); the last columns, fewer than a panel, are read from U itself.
    /// </summary>
    public static double[] Pack(double[] u, int k, int batch)
    {
        long size = 0;
        for (var i1 = 0; i1 < k; i1 += batch)
        {
            var i2 = Math.Min(i1 + batch, k);
            size += (long)(i2 - i1) * ((k - i2) / Width * Width);
        }

        var pack = new double[size];
        long offset = 0;
        for (var i1 = 0; i1 < k; i1 += batch)
        {
            var i2 = Math.Min(i1 + batch, k);
            var height = i2 - i1;
            var panels = (k - i2) / Width;
            for (var t = 0; t < height; t++)
            {
                var row = u.AsSpan(((i1 + t) * k) + i2, panels * Width);
                for (var p = 0; p < panels; p++)
                {
                    row.Slice(p * Width, Width).CopyTo(pack.AsSpan((int)(offset + (((long)(p * height) + t) * Width)), Width));
                }
            }

            offset += (long)height * panels * Width;
        }

        return pack;
    }

    /// <summary>Where batch [i1, i2) starts in <see cref="Pack"/>'s array.</summary>
    public static long PackOffset(int k, int batch, int i1)
    {
        long offset = 0;
        for (var b = 0; b < i1; b += batch)
        {
            var i2 = Math.Min(b + batch, k);
            offset += (long)(i2 - b) * ((k - i2) / Width * Width);
        }

        return offset;
    }

    /// <summary>W[g, i2:] −= Σⱼ e[g, j] · U[j, i2:] for the four rows of <paramref name="rows"/> ([4, K]); U's tiles from <paramref name="pack"/>.</summary>
    // Optimized at the first call: a build runs these kernels a handful of times on large inputs, too few calls for
    // tiered compilation to replace their unoptimized first code in time (same arithmetic either way).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Update(Span<double> rows, int k, double[] u, double[] pack, long offset, double[] errors, int width, int i1, int i2)
    {
        ref var w = ref MemoryMarshal.GetReference(rows);
        ref var panel = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(pack), (nint)offset);
        var stride = (nuint)k;
        var height = i2 - i1;
        var c = i2;
        for (; c + Width <= k; c += Width)
        {
            RegisterTile.Fold(ref Unsafe.Add(ref w, c), stride, ref MemoryMarshal.GetArrayDataReference(errors), (nuint)width, 1,
                ref Unsafe.Add(ref panel, (nint)(c - i2) * height), Width, height, -1.0);
        }

        // The last columns (fewer than a tile), element by element with the zero skip.
        for (var g = 0; g < Rows; g++)
        {
            for (var col = c; col < k; col++)
            {
                ref var target = ref Unsafe.Add(ref w, (g * k) + col);
                for (var j = i1; j < i2; j++)
                {
                    var e = errors[(g * width) + j - i1];
                    if (e != 0)
                    {
                        var product = -e * u[(j * k) + col];
                        target += product;
                    }
                }
            }
        }
    }
}
