using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using ModelCompress.Kernels;

namespace ModelCompress.Kernels.Tests;

/// <summary>
/// Tier selection, and proof that the runs of build/test-kernels.sh really ran what they claim: that script sets
/// MODELCOMPRESS_EXPECT_TIER and the runtime's ISA switches, and these tests fail if the process did not obey them.
/// </summary>
public class KernelSelectionTests
{
    [Fact]
    public void Without_a_forced_tier_the_fastest_accelerated_one_is_picked()
    {
        var picked = Int8GemmKernelFactory.Resolve(null, Int8GemmKernelFactory.Available);
        Assert.Same(Int8GemmKernelFactory.Available.First(k => k.IsAccelerated || k.Tier == Int8GemmTier.Scalar), picked);
        if (AvxVnni.IsSupported)
        {
            Assert.Equal(Int8GemmTier.AvxVnni, picked.Tier);
        }
        else if (Avx2.IsSupported)
        {
            Assert.Equal(Int8GemmTier.Avx2, picked.Tier);
        }
    }

    [Fact]
    public void A_forced_tier_is_matched_by_name_ignoring_case_and_spaces()
    {
        Assert.Equal(Int8GemmTier.Scalar, Int8GemmKernelFactory.Resolve(" SCALAR ", Int8GemmKernelFactory.Available).Tier);
        Assert.Equal(Int8GemmTier.Vector128, Int8GemmKernelFactory.Resolve("vector128", Int8GemmKernelFactory.Available).Tier);
    }

    [Fact]
    public void An_unknown_forced_tier_fails_with_MC9101()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Int8GemmKernelFactory.Resolve("avx1024", Int8GemmKernelFactory.Available));
        Assert.StartsWith("MC9101: MODELCOMPRESS_GEMM_KERNEL='avx1024'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_forced_tier_this_machine_cannot_run_fails_with_MC9102()
    {
        var scalarOnly = Int8GemmKernelFactory.Available.Where(k => k.Tier == Int8GemmTier.Scalar).ToArray();
        var e = Assert.Throws<InvalidOperationException>(() => Int8GemmKernelFactory.Resolve("avxvnni", scalarOnly));
        Assert.StartsWith("MC9102: MODELCOMPRESS_GEMM_KERNEL='avxvnni'", e.Message, StringComparison.Ordinal);
        Assert.Contains("available: scalar", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Active_tier_obeys_the_environment_of_this_run()
    {
        var forced = Environment.GetEnvironmentVariable(Int8GemmKernelFactory.EnvironmentVariable);
        var expected = Environment.GetEnvironmentVariable("MODELCOMPRESS_EXPECT_TIER");
        var active = Int8Gemm.ActiveTierName;
        if (!string.IsNullOrWhiteSpace(expected))
        {
            Assert.Equal(expected, active);
        }

        if (!string.IsNullOrWhiteSpace(forced))
        {
            Assert.Equal(forced.Trim().ToLowerInvariant(), active);
        }
        else
        {
            Assert.Equal(Int8GemmKernelFactory.Resolve(null, Int8GemmKernelFactory.Available).Name, active);
        }
    }

    [Fact]
    public void Runtime_isa_switches_of_this_run_took_effect()
    {
        // DOTNET_Enable* = 0 must remove the instruction sets, and with them the tiers built on them.
        bool Off(string name) => Environment.GetEnvironmentVariable("DOTNET_" + name) == "0";
        var tiers = Int8Gemm.AvailableTiers;
        if (Off("EnableAVXVNNI") || Off("EnableAVX2") || Off("EnableHWIntrinsic"))
        {
            Assert.False(AvxVnni.IsSupported);
            Assert.DoesNotContain(Int8GemmTier.AvxVnni, tiers);
        }

        if (Off("EnableAVX2") || Off("EnableHWIntrinsic"))
        {
            Assert.False(Avx2.IsSupported);
            Assert.DoesNotContain(Int8GemmTier.Avx2, tiers);
        }

        if (Off("EnableHWIntrinsic"))
        {
            Assert.False(Vector128.IsHardwareAccelerated);
            Assert.False(Int8GemmKernelFactory.Get(Int8GemmTier.Vector128).IsAccelerated);
        }

        // Whatever the switches, the tier list is exactly what the hardware flags allow, and scalar is always there.
        Assert.Equal(AvxVnni.IsSupported, tiers.Contains(Int8GemmTier.AvxVnni));
        Assert.Equal(Avx2.IsSupported, tiers.Contains(Int8GemmTier.Avx2));
        Assert.Contains(Int8GemmTier.Scalar, tiers);
    }
}
