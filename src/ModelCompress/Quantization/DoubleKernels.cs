using System.Numerics;
using System.Runtime.CompilerServices;

namespace ModelCompress.Quantization;

/// <summary>
/// y += a·x on doubles, element by element: SIMD lanes where the CPU has them, but each element is one multiply then
/// one add (never fused, never reassociated), so the result is the same bits at every vector width.
/// </summary>
internal static class DoubleKernels
{
    // Optimized at the first call: a build runs these kernels a handful of times on large inputs, too few calls for
    // tiered compilation to replace their unoptimized first code in time (same arithmetic either way).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddScaled(Span<double> y, double a, ReadOnlySpan<double> x)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && y.Length >= Vector<double>.Count)
        {
            var s = new Vector<double>(a);
            for (; i <= y.Length - Vector<double>.Count; i += Vector<double>.Count)
            {
                var product = s * new Vector<double>(x[i..]);
                (new Vector<double>(y[i..]) + product).CopyTo(y[i..]);
            }
        }

        for (; i < y.Length; i++)
        {
            var product = a * x[i];
            y[i] += product;
        }
    }
}
