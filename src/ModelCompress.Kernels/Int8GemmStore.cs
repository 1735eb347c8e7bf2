using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelCompress.Kernels;

/// <summary>
/// Writes micro-tile results back to C. Full 16-column rows are vector stores inlined into the kernel; edge tiles
/// (the last panel when N is not a multiple of 16) first spill every accumulator to a buffer and then call
/// <see cref="Partial"/>. That order matters: a call while accumulators are still live makes the JIT keep them in
/// memory throughout the inner loop (all vector registers are caller-saved), which costs more than half the speed.
/// </summary>
internal static unsafe class Int8GemmStore
{
    /// <summary>C[0..16) = init + (lo‖hi), or C += (lo‖hi) when <paramref name="init"/> is null (wrapping).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Full(int* c, Vector256<int> lo, Vector256<int> hi, int* init)
    {
        int* baseRow = init != null ? init : c;
        (lo + Vector256.Load(baseRow)).Store(c);
        (hi + Vector256.Load(baseRow + 8)).Store(c + 8);
    }

    /// <summary>As <see cref="Full(int*, Vector256{int}, Vector256{int}, int*)"/> for four 4-lane quarters.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Full(int* c, Vector128<int> q0, Vector128<int> q1, Vector128<int> q2, Vector128<int> q3, int* init)
    {
        int* baseRow = init != null ? init : c;
        (q0 + Vector128.Load(baseRow)).Store(c);
        (q1 + Vector128.Load(baseRow + 4)).Store(c + 4);
        (q2 + Vector128.Load(baseRow + 8)).Store(c + 8);
        (q3 + Vector128.Load(baseRow + 12)).Store(c + 12);
    }

    /// <summary>
    /// Edge tile: <paramref name="rows"/> rows of 16 sums at <paramref name="tile"/> (row stride 16), of which the
    /// first <paramref name="cols"/> columns go to C as init + sum or C + sum.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Partial(int* tile, int rows, int cols, int* c, int ldc, int* init)
    {
        for (int r = 0; r < rows; r++)
        {
            int* src = tile + (r * PackedInt8Weights.PanelWidth);
            int* dst = c + ((long)r * ldc);
            for (int j = 0; j < cols; j++)
            {
                dst[j] = unchecked((init != null ? init[j] : dst[j]) + src[j]);
            }
        }
    }
}
