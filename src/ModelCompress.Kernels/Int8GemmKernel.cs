namespace ModelCompress.Kernels;

/// <summary>
/// One instruction-set strategy of the int8 GEMM. A tier supplies only the micro-kernel — an MR×16 tile over a
/// run of K groups — and how it wants activations packed; blocking, threading, compensation and epilogues live in
/// <see cref="Int8GemmDriver"/> and are shared, so tiers cannot drift apart.
/// </summary>
/// <remarks>
/// Contract of <see cref="MicroTile"/>: <c>a</c> points at a packed activation micro-panel (see
/// <see cref="Int8GemmDriver"/>; per group, <see cref="RowTile"/> rows of <see cref="PackedRowGroupBytes"/> each),
/// <c>b</c> at a weight panel (64 bytes per group, <see cref="PackedInt8Weights"/>). For the first
/// <c>rows</c> rows and <c>cols</c> columns it stores
/// <c>C = init + Σ a·b</c> when <c>init</c> is not null (first K block), else <c>C += Σ a·b</c>. All sums wrap
/// modulo 2³², which is what VPDPBUSD does; since wrapping addition is associative and commutative, every
/// order of accumulation — any tier, any blocking — yields the same bits.
/// </remarks>
internal abstract unsafe class Int8GemmKernel
{
    /// <summary>Which tier this is.</summary>
    public abstract Int8GemmTier Tier { get; }

    /// <summary>Whether this process can run the tier at all.</summary>
    public abstract bool IsAvailable { get; }

    /// <summary>Whether it runs on hardware vector units (not a software fallback).</summary>
    public abstract bool IsAccelerated { get; }

    /// <summary>Rows of the micro-tile (MR).</summary>
    public abstract int RowTile { get; }

    /// <summary>
    /// Whether packed activations are widened to int16 (8 bytes per row and group) rather than kept as 4 bytes.
    /// </summary>
    public virtual bool WidensActivations => false;

    /// <summary>Bytes per row per group in packed activations.</summary>
    public int PackedRowGroupBytes => WidensActivations ? 8 : 4;

    /// <summary>Lower-case name used by <c>MODELCOMPRESS_GEMM_KERNEL</c> and in reports.</summary>
    public string Name => Int8GemmKernelFactory.NameOf(Tier);

    /// <summary>Computes one micro-tile; see the class remarks for the contract.</summary>
    public abstract void MicroTile(byte* a, sbyte* b, int groups, int rows, int cols, int* c, int ldc, int* init);

    /// <inheritdoc />
    public override string ToString() => Name;
}
