using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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

    /// <summary>W[g, i2:] −= Σⱼ e[g, j] · U[j, i2:] for the four rows of <paramref name="rows"/> ([4, K]).</summary>
    public static void Update(Span<double> rows, int k, double[] u, double[] errors, int width, int i1, int i2)
    {
        ref var w = ref MemoryMarshal.GetReference(rows);
        ref var uu = ref MemoryMarshal.GetArrayDataReference(u);
        var stride = (nuint)k;
        var c = i2;
        for (; c + Width <= k; c += Width)
        {
            var at = (nuint)c;
            var a00 = Vector256.LoadUnsafe(ref w, at);
            var a01 = Vector256.LoadUnsafe(ref w, at + 4);
            var a10 = Vector256.LoadUnsafe(ref w, at + stride);
            var a11 = Vector256.LoadUnsafe(ref w, at + stride + 4);
            var a20 = Vector256.LoadUnsafe(ref w, at + (2 * stride));
            var a21 = Vector256.LoadUnsafe(ref w, at + (2 * stride) + 4);
            var a30 = Vector256.LoadUnsafe(ref w, at + (3 * stride));
            var a31 = Vector256.LoadUnsafe(ref w, at + (3 * stride) + 4);
            for (var j = i1; j < i2; j++)
            {
                var from = ((nuint)j * stride) + at;
                var u0 = Vector256.LoadUnsafe(ref uu, from);
                var u1 = Vector256.LoadUnsafe(ref uu, from + 4);
                var e = j - i1;
                var s = Vector256.Create(-errors[e]);
                a00 += s * u0;
                a01 += s * u1;
                s = Vector256.Create(-errors[width + e]);
                a10 += s * u0;
                a11 += s * u1;
                s = Vector256.Create(-errors[(2 * width) + e]);
                a20 += s * u0;
                a21 += s * u1;
                s = Vector256.Create(-errors[(3 * width) + e]);
                a30 += s * u0;
                a31 += s * u1;
            }

            a00.StoreUnsafe(ref w, at);
            a01.StoreUnsafe(ref w, at + 4);
            a10.StoreUnsafe(ref w, at + stride);
            a11.StoreUnsafe(ref w, at + stride + 4);
            a20.StoreUnsafe(ref w, at + (2 * stride));
            a21.StoreUnsafe(ref w, at + (2 * stride) + 4);
            a30.StoreUnsafe(ref w, at + (3 * stride));
            a31.StoreUnsafe(ref w, at + (3 * stride) + 4);
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
