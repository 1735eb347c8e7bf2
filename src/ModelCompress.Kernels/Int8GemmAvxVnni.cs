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
            case 2: Kernel<Rows2>(a, b, groups, cols, c, ldc, init); break;
            default: Kernel<Rows1>(a, b, groups, cols, c, ldc, init); break;
        }
    }

    // Micro-tile: 6 rows × 16 columns held in 12 YMM accumulators (row r, columns 0–7 and 8–15). Per K group the
    // kernel loads the panel's 64 bytes as two YMM (8 columns × 4 depths each), broadcasts each row's 4 packed
    // activation bytes (one int32) to all lanes, and issues one VPDPBUSD per accumulator: 12 multiply-adds of
    // 32 byte products for 2 loads + 6 broadcasts. 12 accumulators + 2 weights + 1 broadcast = 15 registers, so
    // it fits the 16 YMM registers of AVX-VNNI CPUs without AVX-512. Packed A is 6 rows × 4 bytes per group and
    // the weights 64 bytes per group, both read strictly sequentially.
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

        Int8GemmStore.Row(c, c00, c01, cols, init);
        if (TRows.Count > 1) Int8GemmStore.Row(c + ldc, c10, c11, cols, init);
        if (TRows.Count > 2) Int8GemmStore.Row(c + 2 * ldc, c20, c21, cols, init);
        if (TRows.Count > 3) Int8GemmStore.Row(c + 3 * ldc, c30, c31, cols, init);
        if (TRows.Count > 4) Int8GemmStore.Row(c + 4 * ldc, c40, c41, cols, init);
        if (TRows.Count > 5) Int8GemmStore.Row(c + 5 * ldc, c50, c51, cols, init);
    }
}
