using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelCompress.Kernels;

/// <summary>
/// Writes micro-tile rows back to C for the 256-bit tiers: full 16-column rows as two vector stores, edge rows
/// (the last panel when N is not a multiple of 16) element by element through a small buffer.
/// </summary>
internal static unsafe class Int8GemmStore
{
    /// <summary>C[0..cols) = init + (lo‖hi), or C += (lo‖hi) when <paramref name="init"/> is null (wrapping).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Row(int* c, Vector256<int> lo, Vector256<int> hi, int cols, int* init)
    {
        if (cols == PackedInt8Weights.PanelWidth)
        {
            int* baseRow = init != null ? init : c;
            (lo + Vector256.Load(baseRow)).Store(c);
            (hi + Vector256.Load(baseRow + 8)).Store(c + 8);
        }
        else
        {
            PartialRow(c, lo, hi, cols, init);
        }
    }

    /// <summary>Edge-panel store; kept out of line so the hot kernels stay small.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void PartialRow(int* c, Vector256<int> lo, Vector256<int> hi, int cols, int* init)
    {
        int* tmp = stackalloc int[PackedInt8Weights.PanelWidth];
        lo.Store(tmp);
        hi.Store(tmp + 8);
        for (int j = 0; j < cols; j++)
        {
            c[j] = unchecked((init != null ? init[j] : c[j]) + tmp[j]);
        }
    }
}
