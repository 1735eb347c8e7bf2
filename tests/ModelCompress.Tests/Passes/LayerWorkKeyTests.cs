using ModelCompress.Cache;
using ModelCompress.Engine;
using ModelCompress.Passes;

namespace ModelCompress.Tests.Passes;

public sealed class LayerWorkKeyTests
{
    private static LayerWorkKey Key(string pass = "p", string settings = "s", string engine = "e", string layer = "MatMul[2,2]@1",
        byte[]? weights = null, byte[]? stats = null) =>
        LayerWorkKey.Compute(pass, settings, engine, layer, weights ?? [1, 2, 3, 4], stats ?? []);

    [Fact]
    public void Same_inputs_give_the_same_key_and_every_field_changes_it()
    {
        var baseline = Key();

        Assert.Equal(baseline, Key());
        Assert.Matches("^[0-9a-f]{64}$", baseline.Hex);
        LayerWorkKey[] variants =
        [
            Key(pass: "q"), Key(settings: "t"), Key(engine: "f"), Key(layer: "MatMul[4,1]@1"),
            Key(weights: [1, 2, 3, 5]), Key(stats: [0]),
        ];
        Assert.DoesNotContain(baseline, variants);
        Assert.Equal(variants.Length, variants.Distinct().Count());
    }

    [Fact]
    public void Field_boundaries_matter()
    {
        Assert.NotEqual(Key(pass: "ab", settings: "c"), Key(pass: "a", settings: "bc"));
    }

    [Fact]
    public void Directory_cache_returns_stored_results_and_drops_damaged_entries()
    {
        var dir = Directory.CreateTempSubdirectory("mc-cache-").FullName;
        try
        {
            var cache = new DirectoryLayerCache(dir);
            var key = Key();
            Assert.Null(cache.TryGet(key));

            cache.Put(key, [10, 20, 30]);
            Assert.Equal(new byte[] { 10, 20, 30 }, cache.TryGet(key));

            var file = Directory.GetFiles(dir, "*.mce", SearchOption.AllDirectories).Single();
            var bytes = File.ReadAllBytes(file);
            bytes[^1] ^= 0xFF;
            File.WriteAllBytes(file, bytes);
            Assert.Null(cache.TryGet(key));
            Assert.False(File.Exists(file));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void A_key_from_the_statistics_hash_is_the_key_from_the_statistics_bytes()
    {
        byte[] stats = [5, 6, 7, 8, 9];
        var hash = System.Security.Cryptography.SHA256.HashData(stats);

        Assert.Equal(Key(stats: stats), LayerWorkKey.FromStatisticsHash("p", "s", "e", "MatMul[2,2]@1", [1, 2, 3, 4], hash));
        Assert.NotEqual(Key(stats: [5, 6, 7, 8]), LayerWorkKey.FromStatisticsHash("p", "s", "e", "MatMul[2,2]@1", [1, 2, 3, 4], hash));
        Assert.Throws<ArgumentException>(() => LayerWorkKey.FromStatisticsHash("p", "s", "e", "MatMul[2,2]@1", [1, 2, 3, 4], stats));
    }
}
