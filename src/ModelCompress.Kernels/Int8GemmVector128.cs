using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelCompress.Kernels;

/// <summary>
/// Portable tier on <c>Vector128</c> (SSE4.1/NEON and a software fallback elsewhere). There is no portable
/// pair-multiply-add, so it multiplies in int16 — exact, since 255·(−128) = −32640 and 255·127 = 32385 fit — and
/// widens every product to int32 before adding.
/// </summary>
internal sealed unsafe class Int8GemmVector128 : Int8GemmKernel
{
    private const int Mr = 4;
    private const int AStride = Mr * 4;

    public override Int8GemmTier Tier => Int8GemmTier.Vector128;

    // Vector128 always works (the JIT falls back to software when there is no SIMD), so it is always available.
    public override bool IsAvailable => true;

    public override bool IsAccelerated => Vector128.IsHardwareAccelerated;

    public override int RowTile => Mr;

    public override void MicroTile(byte* a, sbyte* b, int groups, int rows, int cols, int* c, int ldc, int* init)
    {
        switch (rows)
        {
            case 4: Kernel<Rows4>(a, b, groups, cols, c, ldc, init); break;
            case 3: Kernel<Rows3>(a, b, groups, cols, c, ldc, init); break;
            case 2: Kernel<Rows2>(a, b, groups, cols, c, ldc, init); break;
            default: Kernel<Rows1>(a, b, groups, cols, c, ldc, init); break;
        }
    }

    // Micro-tile: 4 rows × 16 columns in 16 accumulators of 4 int32 (row r, columns 4q … 4q+3). Per K group each
    // 16-byte quarter of the panel (4 columns × 4 depths) is shuffled depth-major — [t0: c0..c3, t1: …, t2, t3] —
    // and sign-extended to two int16 vectors (depths 0/1 and 2/3). Each row's 4 activations, widened and shuffled
    // into [a0×4, a1×4] and [a2×4, a3×4], multiply those in int16; the four int16 halves are widened and summed
    // into the row's accumulator. Weight preparation is shared by the 4 rows, activation preparation by the 4
    // quarters.
    private static void Kernel<TRows>(byte* a, sbyte* b, int groups, int cols, int* c, int ldc, int* init)
        where TRows : struct, IRowCount
    {
        Vector128<int> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector128<int> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector128<int> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector128<int> c30 = default, c31 = default, c32 = default, c33 = default;
        var depthMajor = Vector128.Create((byte)0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
        var low = Vector128.Create((short)0, 0, 0, 0, 1, 1, 1, 1);
        var high = Vector128.Create((short)2, 2, 2, 2, 3, 3, 3, 3);
        for (int g = 0; g < groups; g++)
        {
            Activations(a, low, high, out var a0l, out var a0h);
            Vector128<short> a1l = default, a1h = default, a2l = default, a2h = default, a3l = default, a3h = default;
            if (TRows.Count > 1) Activations(a + 4, low, high, out a1l, out a1h);
            if (TRows.Count > 2) Activations(a + 8, low, high, out a2l, out a2h);
            if (TRows.Count > 3) Activations(a + 12, low, high, out a3l, out a3h);

            Weights(b, depthMajor, out var wl, out var wh);
            c00 += Dot(a0l, a0h, wl, wh);
            if (TRows.Count > 1) c10 += Dot(a1l, a1h, wl, wh);
            if (TRows.Count > 2) c20 += Dot(a2l, a2h, wl, wh);
            if (TRows.Count > 3) c30 += Dot(a3l, a3h, wl, wh);

            Weights(b + 16, depthMajor, out wl, out wh);
            c01 += Dot(a0l, a0h, wl, wh);
            if (TRows.Count > 1) c11 += Dot(a1l, a1h, wl, wh);
            if (TRows.Count > 2) c21 += Dot(a2l, a2h, wl, wh);
            if (TRows.Count > 3) c31 += Dot(a3l, a3h, wl, wh);

            Weights(b + 32, depthMajor, out wl, out wh);
            c02 += Dot(a0l, a0h, wl, wh);
            if (TRows.Count > 1) c12 += Dot(a1l, a1h, wl, wh);
            if (TRows.Count > 2) c22 += Dot(a2l, a2h, wl, wh);
            if (TRows.Count > 3) c32 += Dot(a3l, a3h, wl, wh);

            Weights(b + 48, depthMajor, out wl, out wh);
            c03 += Dot(a0l, a0h, wl, wh);
            if (TRows.Count > 1) c13 += Dot(a1l, a1h, wl, wh);
            if (TRows.Count > 2) c23 += Dot(a2l, a2h, wl, wh);
            if (TRows.Count > 3) c33 += Dot(a3l, a3h, wl, wh);

            a += AStride;
            b += PackedInt8Weights.PanelGroupBytes;
        }

        Row(c, c00, c01, c02, c03, cols, init);
        if (TRows.Count > 1) Row(c + ldc, c10, c11, c12, c13, cols, init);
        if (TRows.Count > 2) Row(c + 2 * ldc, c20, c21, c22, c23, cols, init);
        if (TRows.Count > 3) Row(c + 3 * ldc, c30, c31, c32, c33, cols, init);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Activations(byte* a, Vector128<short> low, Vector128<short> high, out Vector128<short> lo, out Vector128<short> hi)
    {
        var widened = Vector128.WidenLower(Vector128.CreateScalar(Unsafe.ReadUnaligned<uint>(a)).AsByte()).AsInt16();
        lo = Vector128.Shuffle(widened, low);
        hi = Vector128.Shuffle(widened, high);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Weights(sbyte* b, Vector128<byte> depthMajor, out Vector128<short> lo, out Vector128<short> hi)
    {
        var shuffled = Vector128.Shuffle(Vector128.Load((byte*)b), depthMajor).AsSByte();
        lo = Vector128.WidenLower(shuffled);
        hi = Vector128.WidenUpper(shuffled);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Dot(Vector128<short> al, Vector128<short> ah, Vector128<short> wl, Vector128<short> wh)
    {
        var pl = al * wl;
        var ph = ah * wh;
        return (Vector128.WidenLower(pl) + Vector128.WidenUpper(pl)) + (Vector128.WidenLower(ph) + Vector128.WidenUpper(ph));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row(int* c, Vector128<int> q0, Vector128<int> q1, Vector128<int> q2, Vector128<int> q3, int cols, int* init)
    {
        if (cols == PackedInt8Weights.PanelWidth)
        {
            int* baseRow = init != null ? init : c;
            (q0 + Vector128.Load(baseRow)).Store(c);
            (q1 + Vector128.Load(baseRow + 4)).Store(c + 4);
            (q2 + Vector128.Load(baseRow + 8)).Store(c + 8);
            (q3 + Vector128.Load(baseRow + 12)).Store(c + 12);
        }
        else
        {
            PartialRow(c, q0, q1, q2, q3, cols, init);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void PartialRow(int* c, Vector128<int> q0, Vector128<int> q1, Vector128<int> q2, Vector128<int> q3, int cols, int* init)
    {
        int* tmp = stackalloc int[PackedInt8Weights.PanelWidth];
        q0.Store(tmp);
        q1.Store(tmp + 4);
        q2.Store(tmp + 8);
        q3.Store(tmp + 12);
        for (int j = 0; j < cols; j++)
        {
            c[j] = unchecked((init != null ? init[j] : c[j]) + tmp[j]);
        }
    }
}
