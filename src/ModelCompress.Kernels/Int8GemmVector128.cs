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
    // Optimized on first call: the engine runs each layer's product only a few times, too few for tiering.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

        if (cols == PackedInt8Weights.PanelWidth)
        {
            Int8GemmStore.Full(c, c00, c01, c02, c03, init);
            if (TRows.Count > 1) Int8GemmStore.Full(c + ldc, c10, c11, c12, c13, init);
            if (TRows.Count > 2) Int8GemmStore.Full(c + (2 * ldc), c20, c21, c22, c23, init);
            if (TRows.Count > 3) Int8GemmStore.Full(c + (3 * ldc), c30, c31, c32, c33, init);
            return;
        }

        int* tile = stackalloc int[Mr * PackedInt8Weights.PanelWidth];
        c00.Store(tile); c01.Store(tile + 4); c02.Store(tile + 8); c03.Store(tile + 12);
        if (TRows.Count > 1) { c10.Store(tile + 16); c11.Store(tile + 20); c12.Store(tile + 24); c13.Store(tile + 28); }
        if (TRows.Count > 2) { c20.Store(tile + 32); c21.Store(tile + 36); c22.Store(tile + 40); c23.Store(tile + 44); }
        if (TRows.Count > 3) { c30.Store(tile + 48); c31.Store(tile + 52); c32.Store(tile + 56); c33.Store(tile + 60); }
        Int8GemmStore.Partial(tile, TRows.Count, cols, c, ldc, init);
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
}
