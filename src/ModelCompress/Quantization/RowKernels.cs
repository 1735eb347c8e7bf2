using System.Numerics;
using System.Runtime.InteropServices;

namespace ModelCompress.Quantization;

/// <summary>
/// In-place row scaling for graph edits (SmoothQuant's W·diag(s) and its inverse on the producer), vectorized. Each
/// element gets exactly one IEEE single multiplication, as the scalar loop would do, so the bytes are the same on every
/// CPU and vector width.
/// </summary>
internal static class RowKernels
{
    /// <summary>row[i] ·= factor.</summary>
    public static void Multiply(Span<float> row, float factor)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && row.Length >= Vector<float>.Count)
        {
            var f = new Vector<float>(factor);
            var vectors = MemoryMarshal.Cast<float, Vector<float>>(row);
            for (var v = 0; v < vectors.Length; v++)
            {
                vectors[v] *= f;
            }

            i = vectors.Length * Vector<float>.Count;
        }

        for (; i < row.Length; i++)
        {
            row[i] *= factor;
        }
    }

    /// <summary>row[i] ·= factors[i] (the two have one length).</summary>
    public static void Multiply(Span<float> row, ReadOnlySpan<float> factors)
    {
        if (factors.Length != row.Length)
        {
            throw new ArgumentException("a factor per element", nameof(factors));
        }

        var i = 0;
        if (Vector.IsHardwareAccelerated && row.Length >= Vector<float>.Count)
        {
            var vectors = MemoryMarshal.Cast<float, Vector<float>>(row);
            var fs = MemoryMarshal.Cast<float, Vector<float>>(factors);
            for (var v = 0; v < vectors.Length; v++)
            {
                vectors[v] *= fs[v];
            }

            i = vectors.Length * Vector<float>.Count;
        }

        for (; i < row.Length; i++)
        {
            row[i] *= factors[i];
        }
    }
}
