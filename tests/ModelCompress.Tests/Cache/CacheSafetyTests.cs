using ModelCompress.Cache;
using ModelCompress.Data;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Testing;

namespace ModelCompress.Tests.Cache;

/// <summary>Damaged entries, runs sharing one cache at once, and the size cap, through the engine on stories260K.</summary>
public sealed class CacheSafetyTests
{
    private static List<string> LayerEntries(StoriesCacheProject p) =>
        [.. Directory.GetFiles(Path.Combine(p.CacheDir, "layers"), "*" + DirectoryLayerCache.EntryExtension, SearchOption.AllDirectories).Order(StringComparer.Ordinal)];

    [Fact]
    public void Flipped_truncated_emptied_or_swapped_entries_are_MC6001_recomputed_and_repaired_never_trusted()
    {
        using var p = new StoriesCacheProject();
        p.Compress("first");
        var entries = LayerEntries(p);
        Assert.Equal(36, entries.Count);
        var flipped = File.ReadAllBytes(entries[0]);
        flipped[flipped.Length / 2] ^= 0x01; // one bit in a quantized weight
        File.WriteAllBytes(entries[0], flipped);
        File.WriteAllBytes(entries[1], File.ReadAllBytes(entries[1])[..100]);
        File.WriteAllBytes(entries[2], []);
        File.Copy(entries[4], entries[3], overwrite: true); // a valid entry under the wrong name

        var sink = new ListDiagnosticSink();
        var second = p.Compress("second", sink);

        var warnings = sink.Items.Where(d => d.Code.StartsWith("MC6", StringComparison.Ordinal)).ToList();
        Assert.Equal(entries[..4], warnings.Select(w => w.File).Order(StringComparer.Ordinal));
        Assert.All(warnings, w => Assert.Equal(("MC6001", DiagnosticSeverity.Warning), (w.Code, w.Severity)));
        Assert.Contains(warnings, w => w.Message.Contains("checksum mismatch", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Message.Contains("another key", StringComparison.Ordinal));
        Assert.Equal((32, 4), (CacheScenarioTests.CacheOf(second).LayerHits, CacheScenarioTests.CacheOf(second).LayerMisses));
        Assert.Equal(File.ReadAllBytes(p.PathOf("first/stories.onnx")), File.ReadAllBytes(p.PathOf("second/stories.onnx")));

        var clean = new ListDiagnosticSink();
        var third = p.Compress("third", clean);
        Assert.Equal(36, CacheScenarioTests.CacheOf(third).LayerHits);
        Assert.DoesNotContain(clean.Items, d => d.Code.StartsWith("MC6", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Two_runs_on_one_cache_at_once_write_the_bytes_of_an_uncached_run_and_leave_no_torn_entry()
    {
        using var p = new StoriesCacheProject();
        p.Compress("plain", useCache: false);
        var expected = File.ReadAllBytes(p.PathOf("plain/stories.onnx"));

        // Round 1 races on an empty cache (both compute and write the same keys); round 2 races on reads.
        foreach (var round in new[] { "cold", "warm" })
        {
            var sinks = new[] { new ListDiagnosticSink(), new ListDiagnosticSink() };
            var runs = await Task.WhenAll(
                Task.Run(() => p.Compress(round + "-a", sinks[0])),
                Task.Run(() => p.Compress(round + "-b", sinks[1])));

            foreach (var (run, name) in runs.Zip(new[] { "a", "b" }))
            {
                Assert.Equal(expected, File.ReadAllBytes(p.PathOf($"{round}-{name}/stories.onnx")));
                var cache = CacheScenarioTests.CacheOf(run);
                Assert.Equal(36, cache.LayerHits + cache.LayerMisses);
                if (round == "warm")
                {
                    Assert.Equal(36, cache.LayerHits);
                }
            }

            Assert.All(sinks, s => Assert.DoesNotContain(s.Items, d => d.Code.StartsWith("MC6", StringComparison.Ordinal)));
        }

        var verifier = new DirectoryLayerCache(p.CacheDir);
        var entries = LayerEntries(p);
        Assert.Equal(36, entries.Count);
        Assert.All(entries, e => Assert.NotNull(verifier.TryGet(new CacheKey(CacheEntryKind.LayerResult, Path.GetFileNameWithoutExtension(e)))));
        Assert.Empty(Directory.GetFiles(p.CacheDir, "*" + global::ModelCompress.Data.AtomicFile.TempSuffix, SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Concurrent_writers_readers_and_an_evictor_never_see_a_partial_entry()
    {
        using var p = new TestProject();
        var root = p.PathOf("c");
        var keys = Enumerable.Range(0, 6).Select(i => DirectoryLayerCacheTests.KeyOf("k" + i)).ToArray();
        byte[] Payload(int i) => [.. Enumerable.Range(0, 200_000 + i).Select(j => (byte)((j * 31) + i))];
        var payloads = keys.Select((_, i) => Payload(i)).ToArray();
        var sink = new ListDiagnosticSink();
        var wrong = 0;
        var hits = 0;

        var workers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            var cache = new DirectoryLayerCache(root, sink); // one instance per "run", one folder shared
            for (var n = 0; n < 60; n++)
            {
                var i = (n + w) % keys.Length;
                if (cache.TryGet(keys[i]) is { } entry)
                {
                    Interlocked.Increment(ref hits);
                    if (!entry.Payload.AsSpan().SequenceEqual(payloads[i]))
                    {
                        Interlocked.Increment(ref wrong);
                    }
                }
                else
                {
                    cache.Put(keys[i], payloads[i], 1);
                }

                if (w == 0 && n % 10 == 9)
                {
                    cache.Trim(2 * 200_000); // evicts while the others read and write
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);

        Assert.Equal(0, wrong);
        Assert.True(hits > 0);
        Assert.Empty(sink.Items);
    }

    [Fact]
    public void Over_max_size_mb_the_least_recently_used_entries_go_first_MC6004_and_this_runs_entries_stay()
    {
        using var p = new StoriesCacheProject();
        var stale = new DirectoryLayerCache(p.CacheDir);
        var old = DirectoryLayerCacheTests.KeyOf("an old layer of another model");
        stale.Put(old, new byte[2 << 20], 1);
        File.SetLastWriteTimeUtc(stale.PathOf(old), DateTime.UtcNow.AddDays(-30));
        var recipe = File.ReadAllText(p.PathOf("compression.yaml")).Replace("max_size_mb: 64", "max_size_mb: 1", StringComparison.Ordinal);
        File.WriteAllText(p.PathOf("compression.yaml"), recipe);

        var sink = new ListDiagnosticSink();
        p.Compress("out", sink);

        var info = Assert.Single(sink.Items, d => d.Code == "MC6004");
        Assert.Equal(DiagnosticSeverity.Info, info.Severity);
        Assert.EndsWith("compression.yaml", info.File, StringComparison.Ordinal);
        Assert.False(File.Exists(stale.PathOf(old)));
        Assert.Equal(36, LayerEntries(p).Count);
        Assert.True(stale.GetStatistics().TotalBytes <= 1 << 20);
    }
}
