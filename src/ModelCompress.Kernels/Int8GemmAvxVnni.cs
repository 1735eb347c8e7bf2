using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelCompress.Kernels;

/// <summary>
/// AVX-VNNI tier: VPDPBUSD multiplies 4 unsigned activation bytes by 4 signed weight bytes and adds the four
/// products to an int32 lane without saturation — the semantics every other tier reproduces.
/// </summary>
internal sealed unsafe class Int8GemmAvxVnni : Int8GemmKernel
{
    private const int Mr = 6;
    private const int AStride = Mr * 4;

    public override Int8GemmTier Tier => Int8GemmTier.AvxVnni;

    public override bool IsAvailable => AvxVnni.IsSupported;

    public override bool IsAccelerated => AvxVnni.IsSupported;

    public override int RowTile => Mr;

    public override void MicroTile(byte* a, sbyte* b, int groups, int rows, int cols, int* c, int ldc, int* init)
    {
        switch (rows)
        {
            case 6: Kernel<Rows6>(a, b, groups, cols, c, ldc, init); break;
            case 5: Kernel<Rows5>(a, b, groups, cols, c, ldc, init); break;
            case 4: Kernel<Rows4>(a, b, groups, cols, c, ldc, init); break;
            case 3: Kernel<Rows3>(a, b, groups, cols, c, ldc, init); break;
            case 2: KernelTwoRows(a, b, groups, cols, c, ldc, init); break;
            default: KernelOneRow(a, b, groups, cols, c, ldc, init); break;
        }
    }

    // Micro-tile: 6 rows × 16 columns held in 12 YMM accumulators (row r, columns 0–7 and 8–15). Per K group the
    // kernel loads the panel's 64 bytes as two YMM (8 columns × 4 depths each), broadcasts each row's 4 packed
    // activation bytes (one int32) to all lanes, and issues one VPDPBUSD per accumulator: 12 multiply-adds of
    // 32 byte products for 2 loads + 6 broadcasts. 12 accumulators + 2 weights + 1 broadcast = 15 registers, so
    // it fits the 16 YMM registers of AVX-VNNI CPUs without AVX-512. Packed A is 6 rows × 4 bytes per group and
    // the weights 64 bytes per group, both read strictly sequentially.
    // Optimized on first call: the engine runs each layer's product only a few times, too few for tiering.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel<TRows>(byte* a, sbyte* b, int groups, int cols, int* c, int ldc, int* init)
        where TRows : struct, IRowCount
    {
        Vector256<int> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<int> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int g = 0; g < groups; g++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 32);
            var a0 = Vector256.Create(Unsafe.ReadUnaligned<int>(a)).AsByte();
            c00 = AvxVnni.MultiplyWideningAndAdd(c00, a0, b0);
            c01 = AvxVnni.MultiplyWideningAndAdd(c01, a0, b1);
            if (TRows.Count > 1)
            {
                var a1 = Vector256.Create(Unsafe.ReadUnaligned<int>(a + 4)).AsByte();
                c10 = AvxVnni.MultiplyWideningAndAdd(c10, a1, b0);
                c11 = AvxVnni.MultiplyWideningAndAdd(c11, a1, b1);
            }

            if (TRows.Count > 2)
            {
                var a2 = Vector256.Create(Unsafe.ReadUnaligned<int>(a + 8)).AsByte();
                c20 = AvxVnni.MultiplyWideningAndAdd(c20, a2, b0);
                c21 = AvxVnni.MultiplyWideningAndAdd(c21, a2, b1);
            }

            if (TRows.Count > 3)
            {
                var a3 = Vector256.Create(Unsafe.ReadUnaligned<int>(a + 12)).AsByte();
                c30 = AvxVnni.MultiplyWideningAndAdd(c30, a3, b0);
                c31 = AvxVnni.MultiplyWideningAndAdd(c31, a3, b1);
            }

            if (TRows.Count > 4)
            {
                var a4 = Vector256.Create(Unsafe.ReadUnaligned<int>(a + 16)).AsByte();
                c40 = AvxVnni.MultiplyWideningAndAdd(c40, a4, b0);
                c41 = AvxVnni.MultiplyWideningAndAdd(c41, a4, b1);
            }

            if (TRows.Count > 5)
            {
                var a5 = Vector256.Create(Unsafe.ReadUnaligned<int>(a + 20)).AsByte();
                c50 = AvxVnni.MultiplyWideningAndAdd(c50, a5, b0);
                c51 = AvxVnni.MultiplyWideningAndAdd(c51, a5, b1);
            }

            a += AStride;
            b += PackedInt8Weights.PanelGroupBytes;
        }

        if (cols == PackedInt8Weights.PanelWidth)
        {
            Int8GemmStore.Full(c, c00, c01, init);
            if (TRows.Count > 1) Int8GemmStore.Full(c + ldc, c10, c11, init);
            if (TRows.Count > 2) Int8GemmStore.Full(c + (2 * ldc), c20, c21, init);
            if (TRows.Count > 3) Int8GemmStore.Full(c + (3 * ldc), c30, c31, init);
            if (TRows.Count > 4) Int8GemmStore.Full(c + (4 * ldc), c40, c41, init);
            if (TRows.Count > 5) Int8GemmStore.Full(c + (5 * ldc), c50, c51, init);
            return;
        }

        int* tile = stackalloc int[Mr * PackedInt8Weights.PanelWidth];
        c00.Store(tile);
        c01.Store(tile + 8);
        if (TRows.Count > 1) { c10.Store(tile + 16); c11.Store(tile + 24); }
        if (TRows.Count > 2) { c20.Store(tile + 32); c21.Store(tile + 40); }
        if (TRows.Count > 3) { c30.Store(tile + 48); c31.Store(tile + 56); }
        if (TRows.Count > 4) { c40.Store(tile + 64); c41.Store(tile + 72); }
        if (TRows.Count > 5) { c50.Store(tile + 80); c51.Store(tile + 88); }
        Int8GemmStore.Partial(tile, TRows.Count, cols, c, ldc, init);
    }

    // One row (M = 1, matrix-vector products): 2 accumulators would leave VPDPBUSD waiting on its own latency, so
    // four consecutive K groups go to four independent accumulator pairs, summed at the end. Wrapping int32
    // addition is associative, so splitting K this way changes no bit.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void KernelOneRow(byte* a, sbyte* b, int groups, int cols, int* c, int ldc, int* init)
    {
        Vector256<int> s0l = default, s0h = default, s1l = default, s1h = default;
        Vector256<int> s2l = default, s2h = default, s3l = default, s3h = default;
        int g = 0;
        for (; g <= groups - 4; g += 4)
        {
            var x0 = Vector256.Create(Unsafe.ReadUnaligned<int>(a)).AsByte();
            s0l = AvxVnni.MultiplyWideningAndAdd(s0l, x0, Vector256.Load(b));
            s0h = AvxVnni.MultiplyWideningAndAdd(s0h, x0, Vector256.Load(b + 32));
            var x1 = Vector256.Create(Unsafe.ReadUnaligned<int>(a + AStride)).AsByte();
            s1l = AvxVnni.MultiplyWideningAndAdd(s1l, x1, Vector256.Load(b + 64));
            s1h = AvxVnni.MultiplyWideningAndAdd(s1h, x1, Vector256.Load(b + 96));
            var x2 = Vector256.Create(Unsafe.ReadUnaligned<int>(a + (2 * AStride))).AsByte();
            s2l = AvxVnni.MultiplyWideningAndAdd(s2l, x2, Vector256.Load(b + 128));
            s2h = AvxVnni.MultiplyWideningAndAdd(s2h, x2, Vector256.Load(b + 160));
            var x3 = Vector256.Create(Unsafe.ReadUnaligned<int>(a + (3 * AStride))).AsByte();
            s3l = AvxVnni.MultiplyWideningAndAdd(s3l, x3, Vector256.Load(b + 192));
            s3h = AvxVnni.MultiplyWideningAndAdd(s3h, x3, Vector256.Load(b + 224));
            a += 4 * AStride;
            b += 4 * PackedInt8Weights.PanelGroupBytes;
        }

        for (; g < groups; g++)
        {
            var x0 = Vector256.Create(Unsafe.ReadUnaligned<int>(a)).AsByte();
            s0l = AvxVnni.MultiplyWideningAndAdd(s0l, x0, Vector256.Load(b));
            s0h = AvxVnni.MultiplyWideningAndAdd(s0h, x0, Vector256.Load(b + 32));
            a += AStride;
            b += PackedInt8Weights.PanelGroupBytes;
        }

        var lo = (s0l + s1l) + (s2l + s3l);
        var hi = (s0h + s1h) + (s2h + s3h);
        if (cols == PackedInt8Weights.PanelWidth)
        {
            Int8GemmStore.Full(c, lo, hi, init);
            return;
        }

        int* tile = stackalloc int[PackedInt8Weights.PanelWidth];
        lo.Store(tile);
        hi.Store(tile + 8);
        Int8GemmStore.Partial(tile, 1, cols, c, ldc, init);
    }

    // Two rows: as for one row, with two K-interleaved accumulator sets (8 accumulators) to hide latency.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void KernelTwoRows(byte* a, sbyte* b, int groups, int cols, int* c, int ldc, int* init)
    {
        Vector256<int> p0l = default, p0h = default, p1l = default, p1h = default;
        Vector256<int> q0l = default, q0h = default, q1l = default, q1h = default;
        int g = 0;
        for (; g <= groups - 2; g += 2)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 32);
            var x0 = Vector256.Create(Unsafe.ReadUnaligned<int>(a)).AsByte();
            var x1 = Vector256.Create(Unsafe.ReadUnaligned<int>(a + 4)).AsByte();
            p0l = AvxVnni.MultiplyWideningAndAdd(p0l, x0, b0);
            p0h = AvxVnni.MultiplyWideningAndAdd(p0h, x0, b1);
            p1l = AvxVnni.MultiplyWideningAndAdd(p1l, x1, b0);
            p1h = AvxVnni.MultiplyWideningAndAdd(p1h, x1, b1);
            b0 = Vector256.Load(b + 64);
            b1 = Vector256.Load(b + 96);
            x0 = Vector256.Create(Unsafe.ReadUnaligned<int>(a + AStride)).AsByte();
            x1 = Vector256.Create(Unsafe.ReadUnaligned<int>(a + AStride + 4)).AsByte();
            q0l = AvxVnni.MultiplyWideningAndAdd(q0l, x0, b0);
            q0h = AvxVnni.MultiplyWideningAndAdd(q0h, x0, b1);
            q1l = AvxVnni.MultiplyWideningAndAdd(q1l, x1, b0);
            q1h = AvxVnni.MultiplyWideningAndAdd(q1h, x1, b1);
            a += 2 * AStride;
            b += 2 * PackedInt8Weights.PanelGroupBytes;
        }

        if (g < groups)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 32);
            var x0 = Vector256.Create(Unsafe.ReadUnaligned<int>(a)).AsByte();
            var x1 = Vector256.Create(Unsafe.ReadUnaligned<int>(a + 4)).AsByte();
            p0l = AvxVnni.MultiplyWideningAndAdd(p0l, x0, b0);
            p0h = AvxVnni.MultiplyWideningAndAdd(p0h, x0, b1);
            p1l = AvxVnni.MultiplyWideningAndAdd(p1l, x1, b0);
            p1h = AvxVnni.MultiplyWideningAndAdd(p1h, x1, b1);
        }

        var r0l = p0l + q0l;
        var r0h = p0h + q0h;
        var r1l = p1l + q1l;
        var r1h = p1h + q1h;
        if (cols == PackedInt8Weights.PanelWidth)
        {
            Int8GemmStore.Full(c, r0l, r0h, init);
            Int8GemmStore.Full(c + ldc, r1l, r1h, init);
            return;
        }

        int* tile = stackalloc int[2 * PackedInt8Weights.PanelWidth];
        r0l.Store(tile);
        r0h.Store(tile + 8);
        r1l.Store(tile + 16);
        r1h.Store(tile + 24);
        Int8GemmStore.Partial(tile, 2, cols, c, ldc, init);
    }
}
