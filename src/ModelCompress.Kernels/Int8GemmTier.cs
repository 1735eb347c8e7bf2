namespace ModelCompress.Kernels;

/// <summary>
/// The instruction-set strategies of the int8 GEMM. Every tier produces bit-identical int32 results (the
/// <see cref="Scalar"/> tier defines them); they differ only in speed and in which CPUs can run them.
/// </summary>
public enum Int8GemmTier
{
    /// <summary>Plain C# loops: the reference that defines the exact result. Runs everywhere.</summary>
    Scalar = 0,

    /// <summary>Portable 128-bit <c>Vector128</c> code (SSE4/NEON); widens to int16 and multiplies exactly.</summary>
    Vector128 = 1,

    /// <summary>256-bit AVX2: widens to int16 and uses VPMADDWD (never the saturating VPMADDUBSW).</summary>
    Avx2 = 2,

    /// <summary>256-bit AVX-VNNI: VPDPBUSD, unsigned activations × signed weights into int32.</summary>
    AvxVnni = 3,
}
