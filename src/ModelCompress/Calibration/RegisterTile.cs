using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelCompress.Calibration;

/// <summary>
/// The one register-tiled kernel behind the Hessian fold, the panel Cholesky and the GPTQ solver's lazy batch update:
/// a 4×8 block of a row-major matrix is held in eight vector registers while <c>count</c> terms are added to each
/// element, term t being <c>(sign · b[g, t]) · x[t, c]</c> for row g and column c — a multiply, then an add, never
/// fused, one term after another in t order, so every element gets exactly the operations of a plain loop over t.
/// </summary>
internal static class RegisterTile
{
    /// <summary>
    /// acc[g, c] at <paramref name="acc"/>[g · accStride + c] (g &lt; 4, c &lt; 8) += Σₜ (sign · b[g · bRow + t · bStep]) ·
    /// x[t · xStep + c], t = 0 … count − 1 in order. <paramref name="sign"/> is 1 or −1 (exact either way).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Fold(ref double acc, nuint accStride, ref double b, nuint bRow, nuint bStep, ref double x, nuint xStep, int count, double sign)
    {
        var a00 = Vector256.LoadUnsafe(ref acc);
        var a01 = Vector256.LoadUnsafe(ref acc, 4);
        var a10 = Vector256.LoadUnsafe(ref acc, accStride);
        var a11 = Vector256.LoadUnsafe(ref acc, accStride + 4);
        var a20 = Vector256.LoadUnsafe(ref acc, 2 * accStride);
        var a21 = Vector256.LoadUnsafe(ref acc, (2 * accStride) + 4);
        var a30 = Vector256.LoadUnsafe(ref acc, 3 * accStride);
        var a31 = Vector256.LoadUnsafe(ref acc, (3 * accStride) + 4);
        nuint bt = 0, xt = 0;
        for (var t = 0; t < count; t++, bt += bStep, xt += xStep)
        {
            var x0 = Vector256.LoadUnsafe(ref x, xt);
            var x1 = Vector256.LoadUnsafe(ref x, xt + 4);
            var s = Vector256.Create(sign * Unsafe.Add(ref b, bt));
            a00 += s * x0;
            a01 += s * x1;
            s = Vector256.Create(sign * Unsafe.Add(ref b, bt + bRow));
            a10 += s * x0;
            a11 += s * x1;
            s = Vector256.Create(sign * Unsafe.Add(ref b, bt + (2 * bRow)));
            a20 += s * x0;
            a21 += s * x1;
            s = Vector256.Create(sign * Unsafe.Add(ref b, bt + (3 * bRow)));
            a30 += s * x0;
            a31 += s * x1;
        }

        a00.StoreUnsafe(ref acc);
        a01.StoreUnsafe(ref acc, 4);
        a10.StoreUnsafe(ref acc, accStride);
        a11.StoreUnsafe(ref acc, accStride + 4);
        a20.StoreUnsafe(ref acc, 2 * accStride);
        a21.StoreUnsafe(ref acc, (2 * accStride) + 4);
        a30.StoreUnsafe(ref acc, 3 * accStride);
        a31.StoreUnsafe(ref acc, (3 * accStride) + 4);
    }
}
