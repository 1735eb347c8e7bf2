using ModelCompress.Cache;
using ModelCompress.Engine;
using ModelCompress.Passes;
using ModelCompress.Testing;
using ModelCompress.Tests.Engine;

namespace ModelCompress.Tests.Cache;

public sealed class CacheIdentityTests
{
    [Fact]
    public void Keys_carry_the_engine_version_and_the_build_identity_of_the_code_that_computes_them()
    {
        var version = CacheIdentity.KeyVersion("1.2.3+alg.4");

        Assert.Matches("^1\\.2\\.3\\+alg\\.4\\+build\\.[0-9a-f]{16}$", version);
        Assert.Equal(version, CacheIdentity.KeyVersion("1.2.3+alg.4")); // stable within one build
        Assert.Equal(version, new CacheSession(null, "1.2.3+alg.4").EngineVersion);
        Assert.NotEqual(version, CacheIdentity.KeyVersion("1.2.3+alg.5"));
    }

    [Fact]
    public void A_result_stored_by_another_engine_version_is_a_miss()
    {
        using var p = new TestProject();
        var cache = new DirectoryLayerCache(p.PathOf("c"));
        var key = LayerWorkKey.Compute("pass", "settings", new CacheSession(cache, "1.0.0+alg.1").EngineVersion, "MatMul|4,4|axis=1", [1, 2], []);
        var computed = 0;
        byte[] Compute()
        {
            computed++;
            return [9];
        }

        new CacheSession(cache, "1.0.0+alg.1").GetOrComputeLayer("m", "quantize", "l", key, Compute);
        var sameBuild = new CacheSession(cache, "1.0.0+alg.1");
        var otherKey = LayerWorkKey.Compute("pass", "settings", new CacheSession(cache, "1.0.0+alg.2").EngineVersion, "MatMul|4,4|axis=1", [1, 2], []);
        sameBuild.GetOrComputeLayer("m", "quantize", "l", key, Compute);
        new CacheSession(cache, "1.0.0+alg.2").GetOrComputeLayer("m", "quantize", "l", otherKey, Compute);

        Assert.Equal(2, computed);
        Assert.Equal((1, 0), (sameBuild.Hits, sameBuild.Misses));
    }
}
