using System.Numerics;
using System.Runtime.InteropServices;

namespace ModelCompress.Pruning;

/// <summary>
/// The one vectorized primitive of the PST fit, y += a·x. Each element gets one multiply and one add in the same
/// order whatever the vector width (no reduction across lanes, no fused multiply-add), so results are the same bytes
/// on every CPU.
/// </summary>
internal static class VectorMath
{
    /// <summary>y[i] = y[i] + a·x[i].</summary>
    public static void AddScaled(Span<float> y, float a, ReadOnlySpan<float> x)
    {
        if (x.Length != y.Length)
        {
            throw new ArgumentException("x and y differ in length");
        }

        var i = 0;
        if (Vector.IsHardwareAccelerated && y.Length >= Vector<float>.Count)
        {
            var av = new Vector<float>(a);
            var yv = MemoryMarshal.Cast<float, Vector<float>>(y);
            var xv = MemoryMarshal.Cast<float, Vector<float>>(x);
            for (var v = 0; v < yv.Length; v++)
            {
                var product = av * xv[v];
                yv[v] += product;
            }

            i = yv.Length * Vector<float>.Count;
        }

        for (; i < y.Length; i++)
        {
            var product = a * x[i];
            y[i] += product;
        }
    }
}
