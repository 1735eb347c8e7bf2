using System.Runtime.CompilerServices;
namespace ModelCompress.Kernels;

/// <summary>
/// The reference tier: plain loops that define the exact int32 result every other tier must reproduce.
/// C[m,n] = Σ<sub>k</sub> a[m,k]·B[k,n] with a in 0…255 (shifted activations) and B in −128…127, summed in int32
/// with two's-complement wrap-around — the arithmetic of VPDPBUSD, which never saturates.
/// </summary>
internal sealed unsafe class Int8GemmScalar : Int8GemmKernel
{
    private const int Mr = 4;
    private const int Nr = PackedInt8Weights.PanelWidth;

    public override Int8GemmTier Tier => Int8GemmTier.Scalar;

    public override bool IsAvailable => true;

    public override bool IsAccelerated => false;

    public override int RowTile => Mr;

    // Micro-tile: up to 4 rows × 16 columns of int32 accumulators in a stack buffer; for each group, each row's
    // 4 activation bytes multiply the 4 depth bytes of each column (packed contiguously, see PackedInt8Weights).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void MicroTile(byte* a, sbyte* b, int groups, int rows, int cols, int* c, int ldc, int* init)
    {
        int* acc = stackalloc int[Mr * Nr];
        new Span<int>(acc, Mr * Nr).Clear();
        for (int g = 0; g < groups; g++)
        {
            for (int r = 0; r < rows; r++)
            {
                byte* ar = a + r * 4;
                int a0 = ar[0], a1 = ar[1], a2 = ar[2], a3 = ar[3];
                int* accRow = acc + r * Nr;
                for (int j = 0; j < Nr; j++)
                {
                    sbyte* w = b + j * 4;
                    accRow[j] = unchecked(accRow[j] + (a0 * w[0]) + (a1 * w[1]) + (a2 * w[2]) + (a3 * w[3]));
                }
            }

            a += Mr * 4;
            b += PackedInt8Weights.PanelGroupBytes;
        }

        for (int r = 0; r < rows; r++)
        {
            int* cRow = c + r * ldc;
            int* accRow = acc + r * Nr;
            for (int j = 0; j < cols; j++)
            {
                cRow[j] = unchecked((init != null ? init[j] : cRow[j]) + accRow[j]);
            }
        }
    }
}
