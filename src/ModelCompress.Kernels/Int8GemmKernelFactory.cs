namespace ModelCompress.Kernels;

/// <summary>
/// Knows every tier, which this process can run (<em>available</em>) and which run on vector hardware
/// (<em>accelerated</em>), and picks the fastest accelerated one once per process — unless
/// <c>MODELCOMPRESS_GEMM_KERNEL</c> forces a tier (scalar | vector128 | avx2 | avxvnni), in which case that tier is
/// used or, when it cannot run here, every GEMM call fails with MC9102 rather than silently measuring another.
/// </summary>
internal static class Int8GemmKernelFactory
{
    /// <summary>The environment variable that forces a tier.</summary>
    public const string EnvironmentVariable = "MODELCOMPRESS_GEMM_KERNEL";

    // Fastest first; the pick is the first that is accelerated (scalar, last, is the fallback).
    private static readonly Int8GemmKernel[] All =
    [
        new Int8GemmAvxVnni(),
        new Int8GemmAvx2(),
        new Int8GemmVector128(),
        new Int8GemmScalar(),
    ];

    /// <summary>Every tier this process can run, fastest first.</summary>
    public static IReadOnlyList<Int8GemmKernel> Available { get; } = All.Where(k => k.IsAvailable).ToArray();

    // Lazy with exception caching: a bad forced value fails every call with the same coded message.
    private static readonly Lazy<Int8GemmKernel> ActiveKernel = new(
        () => Resolve(Environment.GetEnvironmentVariable(EnvironmentVariable), Available),
        LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The tier every <see cref="Int8Gemm"/> call uses.</summary>
    public static Int8GemmKernel Active => ActiveKernel.Value;

    /// <summary>The kernel for <paramref name="tier"/>, which must be available.</summary>
    public static Int8GemmKernel Get(Int8GemmTier tier) =>
        Available.FirstOrDefault(k => k.Tier == tier)
        ?? throw new InvalidOperationException(KernelMessages.Format("MC9102", NameOf(tier), Names(Available)));

    /// <summary>The tier named <paramref name="forced"/> among <paramref name="available"/>, else the best one.</summary>
    public static Int8GemmKernel Resolve(string? forced, IReadOnlyList<Int8GemmKernel> available)
    {
        if (string.IsNullOrWhiteSpace(forced))
        {
            return available.FirstOrDefault(k => k.IsAccelerated) ?? available[^1];
        }

        var name = forced.Trim();
        var known = All.FirstOrDefault(k => string.Equals(k.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException(KernelMessages.Format("MC9101", name, Names(All)));
        return available.FirstOrDefault(k => k.Tier == known.Tier)
            ?? throw new InvalidOperationException(KernelMessages.Format("MC9102", name, Names(available)));
    }

    /// <summary>The lower-case name of a tier, as <c>MODELCOMPRESS_GEMM_KERNEL</c> spells it.</summary>
    public static string NameOf(Int8GemmTier tier) => tier switch
    {
        Int8GemmTier.AvxVnni => "avxvnni",
        Int8GemmTier.Avx2 => "avx2",
        Int8GemmTier.Vector128 => "vector128",
        Int8GemmTier.Scalar => "scalar",
        _ => throw new ArgumentOutOfRangeException(nameof(tier), tier, "Unknown int8 GEMM tier."),
    };

    private static string Names(IEnumerable<Int8GemmKernel> kernels) => string.Join(", ", kernels.Select(k => k.Name));
}
