using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelCompress.Kernels;

/// <summary>
/// AVX2 tier, bit-identical to VPDPBUSD without it. VPMADDUBSW would be the obvious instruction but it saturates
/// its int16 pair sums (255·127·2 &gt; 32767), so instead both operands are widened to int16 and VPMADDWD forms
/// exact int32 pair sums (at most 2·255·128 = 65280 in magnitude) that are then added with wrapping VPADDD.
/// </summary>
internal sealed unsafe class Int8GemmAvx2 : Int8GemmKernel
{
    private const int Mr = 4;
    private const int AStride = Mr * 8;

    public override Int8GemmTier Tier => Int8GemmTier.Avx2;

    public override bool IsAvailable => Avx2.IsSupported;

    public override bool IsAccelerated => Avx2.IsSupported;

    public override int RowTile => Mr;

    public override bool WidensActivations => true;

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

    // Micro-tile: 4 rows × 16 columns. Activations are packed pre-widened (4 × int16 = 8 bytes per row and group),
    // so one VPBROADCASTQ gives [a0 a1 a2 a3] repeated. The panel's 64 weight bytes are sign-extended 16 at a time
    // (4 columns × 4 depths) with VPMOVSXBW; VPMADDWD then yields per column two int32 partial sums (depths 0+1
    // and 2+3). Those pairs stay apart in 4 accumulators per row (16 in all) and are folded only once at the end
    // with VPHADDD + VPERMQ, keeping the inner loop to multiply-adds, adds and loads.
    // Optimized on first call: the engine runs each layer's product only a few times, too few for tiering.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel<TRows>(byte* a, sbyte* b, int groups, int cols, int* c, int ldc, int* init)
        where TRows : struct, IRowCount
    {
        Vector256<int> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector256<int> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector256<int> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector256<int> c30 = default, c31 = default, c32 = default, c33 = default;
        for (int g = 0; g < groups; g++)
        {
            var a0 = Vector256.Create(Unsafe.ReadUnaligned<long>(a)).AsInt16();
            var a1 = TRows.Count > 1 ? Vector256.Create(Unsafe.ReadUnaligned<long>(a + 8)).AsInt16() : default;
            var a2 = TRows.Count > 2 ? Vector256.Create(Unsafe.ReadUnaligned<long>(a + 16)).AsInt16() : default;
            var a3 = TRows.Count > 3 ? Vector256.Create(Unsafe.ReadUnaligned<long>(a + 24)).AsInt16() : default;

            var w = Avx2.ConvertToVector256Int16(b);
            c00 += Avx2.MultiplyAddAdjacent(a0, w);
            if (TRows.Count > 1) c10 += Avx2.MultiplyAddAdjacent(a1, w);
            if (TRows.Count > 2) c20 += Avx2.MultiplyAddAdjacent(a2, w);
            if (TRows.Count > 3) c30 += Avx2.MultiplyAddAdjacent(a3, w);

            w = Avx2.ConvertToVector256Int16(b + 16);
            c01 += Avx2.MultiplyAddAdjacent(a0, w);
            if (TRows.Count > 1) c11 += Avx2.MultiplyAddAdjacent(a1, w);
            if (TRows.Count > 2) c21 += Avx2.MultiplyAddAdjacent(a2, w);
            if (TRows.Count > 3) c31 += Avx2.MultiplyAddAdjacent(a3, w);

            w = Avx2.ConvertToVector256Int16(b + 32);
            c02 += Avx2.MultiplyAddAdjacent(a0, w);
            if (TRows.Count > 1) c12 += Avx2.MultiplyAddAdjacent(a1, w);
            if (TRows.Count > 2) c22 += Avx2.MultiplyAddAdjacent(a2, w);
            if (TRows.Count > 3) c32 += Avx2.MultiplyAddAdjacent(a3, w);

            w = Avx2.ConvertToVector256Int16(b + 48);
            c03 += Avx2.MultiplyAddAdjacent(a0, w);
            if (TRows.Count > 1) c13 += Avx2.MultiplyAddAdjacent(a1, w);
            if (TRows.Count > 2) c23 += Avx2.MultiplyAddAdjacent(a2, w);
            if (TRows.Count > 3) c33 += Avx2.MultiplyAddAdjacent(a3, w);

            a += AStride;
            b += PackedInt8Weights.PanelGroupBytes;
        }

        var r00 = Fold(c00, c01);
        var r01 = Fold(c02, c03);
        var r10 = TRows.Count > 1 ? Fold(c10, c11) : default;
        var r11 = TRows.Count > 1 ? Fold(c12, c13) : default;
        var r20 = TRows.Count > 2 ? Fold(c20, c21) : default;
        var r21 = TRows.Count > 2 ? Fold(c22, c23) : default;
        var r30 = TRows.Count > 3 ? Fold(c30, c31) : default;
        var r31 = TRows.Count > 3 ? Fold(c32, c33) : default;
        if (cols == PackedInt8Weights.PanelWidth)
        {
            Int8GemmStore.Full(c, r00, r01, init);
            if (TRows.Count > 1) Int8GemmStore.Full(c + ldc, r10, r11, init);
            if (TRows.Count > 2) Int8GemmStore.Full(c + (2 * ldc), r20, r21, init);
            if (TRows.Count > 3) Int8GemmStore.Full(c + (3 * ldc), r30, r31, init);
            return;
        }

        int* tile = stackalloc int[Mr * PackedInt8Weights.PanelWidth];
        r00.Store(tile);
        r01.Store(tile + 8);
        if (TRows.Count > 1) { r10.Store(tile + 16); r11.Store(tile + 24); }
        if (TRows.Count > 2) { r20.Store(tile + 32); r21.Store(tile + 40); }
        if (TRows.Count > 3) { r30.Store(tile + 48); r31.Store(tile + 56); }
        Int8GemmStore.Partial(tile, TRows.Count, cols, c, ldc, init);
    }

    /// <summary>
    /// Folds pair sums of 8 columns into one int32 per column. <paramref name="x"/> holds columns 0–3 and
    /// <paramref name="y"/> columns 4–7 as [c0(01) c0(23) c1(01) c1(23) | c2(01) c2(23) c3(01) c3(23)];
    /// VPHADDD gives [c0 c1 c4 c5 | c2 c3 c6 c7] and VPERMQ (0xD8) restores column order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Fold(Vector256<int> x, Vector256<int> y) =>
        Avx2.Permute4x64(Avx2.HorizontalAdd(x, y).AsInt64(), 0xD8).AsInt32();
}
