using ModelCompress.Testing;
using System.Security.Cryptography;
using ModelCompress.Cache;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Tests.Engine;

namespace ModelCompress.Tests.Cache;

public sealed class DirectoryLayerCacheTests
{
    internal static CacheKey KeyOf(string text, CacheEntryKind kind = CacheEntryKind.LayerResult) =>
        new(kind, Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text))));

    [Fact]
    public void Entries_are_stored_by_kind_and_key_with_a_cache_tag_and_read_back_exactly()
    {
        using var p = new TestProject();
        var sink = new ListDiagnosticSink();
        var cache = new DirectoryLayerCache(p.PathOf("c"), sink);
        var layer = KeyOf("layer");
        var stats = KeyOf("stats", CacheEntryKind.CalibrationStatistics);

        Assert.Null(cache.TryGet(layer));
        cache.Put(layer, [1, 2, 3], 5);
        cache.Put(stats, [4], 7);

        Assert.Equal([1, 2, 3], cache.TryGet(layer)!.Payload);
        Assert.Equal(5, cache.TryGet(layer)!.ComputeMilliseconds);
        Assert.Equal([4], cache.TryGet(stats)!.Payload);
        Assert.Null(cache.TryGet(new CacheKey(CacheEntryKind.CalibrationStatistics, layer.Hex)));
        Assert.EndsWith(Path.Combine("layers", layer.Hex[..2], layer.Hex + ".mce"), cache.PathOf(layer), StringComparison.Ordinal);
        Assert.StartsWith("Signature: 8a477f597d28d172789f06886806bc55", File.ReadAllText(p.PathOf("c/CACHEDIR.TAG")), StringComparison.Ordinal);
        Assert.Empty(sink.Items);
        var s = cache.GetStatistics();
        Assert.Equal((1, 1, 0, true), (s.LayerEntries, s.CalibrationEntries, s.TemporaryFiles, s.IsTagged));
        Assert.Equal(new FileInfo(cache.PathOf(layer)).Length + new FileInfo(cache.PathOf(stats)).Length, s.TotalBytes);
    }

    [Fact]
    public void A_damaged_entry_is_MC6001_deleted_and_a_miss()
    {
        using var p = new TestProject();
        var sink = new ListDiagnosticSink();
        var cache = new DirectoryLayerCache(p.PathOf("c"), sink);
        var key = KeyOf("k");
        cache.Put(key, new byte[64], 1);
        var path = cache.PathOf(key);
        var bytes = File.ReadAllBytes(path);
        bytes[^3] ^= 0x10;
        File.WriteAllBytes(path, bytes);

        Assert.Null(cache.TryGet(key));

        var warning = Assert.Single(sink.Items);
        Assert.Equal(("MC6001", DiagnosticSeverity.Warning, path), (warning.Code, warning.Severity, warning.File));
        Assert.Contains("checksum mismatch", warning.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    [Theory]
    [InlineData(0, "truncated")]
    [InlineData(40, "truncated")]
    [InlineData(88, "payload bytes")]
    [InlineData(100, "payload bytes")]
    [InlineData(-1, "payload bytes")]
    [InlineData(1, "payload bytes")]
    public void An_entry_file_cut_short_or_grown_is_MC6001_whatever_its_length(int change, string expected)
    {
        using var p = new TestProject();
        var sink = new ListDiagnosticSink();
        var cache = new DirectoryLayerCache(p.PathOf("c"), sink);
        var key = KeyOf("k");
        var payload = Enumerable.Range(0, 5000).Select(i => (byte)(i * 7)).ToArray();
        cache.Put(key, payload, 1);
        Assert.Equal(payload, cache.TryGet(key)!.Payload); // read back whole first
        var path = cache.PathOf(key);
        var bytes = File.ReadAllBytes(path);

        // change > 0 keeps that many bytes of the file, 1 (as in 'one byte more') appends one, -1 drops the last one.
        File.WriteAllBytes(path, change switch
        {
            1 => [.. bytes, 0],
            -1 => bytes[..^1],
            _ => bytes[..change],
        });

        Assert.Null(cache.TryGet(key));
        var warning = Assert.Single(sink.Items);
        Assert.Equal("MC6001", warning.Code);
        Assert.Contains(expected, warning.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void An_unreadable_entry_or_an_unwritable_folder_is_MC6002_once_and_never_an_exception()
    {
        using var p = new TestProject();
        var sink = new ListDiagnosticSink();
        var cache = new DirectoryLayerCache(p.PathOf("c"), sink);
        var key = KeyOf("dir");
        Directory.CreateDirectory(cache.PathOf(key)); // a folder where the entry file should be: reading it fails

        Assert.Null(cache.TryGet(key));
        Assert.Equal("MC6002", Assert.Single(sink.Items).Code);
        Assert.Contains("could not be read", sink.Items[0].Message, StringComparison.Ordinal);

        var blocked = new DirectoryLayerCache(p.PathOf("blocked"), sink);
        Directory.CreateDirectory(p.PathOf("blocked"));
        File.WriteAllText(p.PathOf("blocked/layers"), "a file where the layers folder belongs");
        blocked.Put(KeyOf("a"), [1], 1);
        blocked.Put(KeyOf("b"), [2], 1);

        Assert.Equal(2, sink.Items.Count);
        Assert.Equal("MC6002", sink.Items[1].Code);
        Assert.Contains("could not be written", sink.Items[1].Message, StringComparison.Ordinal);
        Assert.Null(blocked.TryGet(KeyOf("a")));
    }

    [Fact]
    public void Trim_evicts_least_recently_used_first_and_a_hit_counts_as_a_use()
    {
        using var p = new TestProject();
        var cache = new DirectoryLayerCache(p.PathOf("c"));
        var keys = Enumerable.Range(0, 5).Select(i => KeyOf("e" + i)).ToList();
        var start = DateTime.UtcNow.AddDays(-1);
        for (var i = 0; i < keys.Count; i++)
        {
            cache.Put(keys[i], new byte[1000], 1);
            File.SetLastWriteTimeUtc(cache.PathOf(keys[i]), start.AddMinutes(i)); // e0 oldest … e4 newest
        }

        var entrySize = new FileInfo(cache.PathOf(keys[0])).Length;
        Assert.NotNull(cache.TryGet(keys[0])); // e0 is now the most recently used

        var trim = cache.Trim(3 * entrySize);

        Assert.Equal((2, 2 * entrySize, 3 * entrySize), (trim.RemovedEntries, trim.RemovedBytes, trim.RemainingBytes));
        Assert.Equal([true, false, false, true, true], keys.Select(k => File.Exists(cache.PathOf(k))));
        Assert.Equal(0, cache.Trim(3 * entrySize).RemovedEntries);
        Assert.Equal(3, cache.Trim(0).RemovedEntries);
        Assert.Equal(0, cache.GetStatistics().Entries);
    }

    [Fact]
    public void Trim_removes_stale_temporary_files_but_not_ones_a_run_may_be_writing()
    {
        using var p = new TestProject();
        var cache = new DirectoryLayerCache(p.PathOf("c"));
        cache.Put(KeyOf("x"), [1], 1);
        var folder = Path.GetDirectoryName(cache.PathOf(KeyOf("x")))!;
        var stale = Path.Combine(folder, ".old.mce.0123456789ab.mctmp");
        var fresh = Path.Combine(folder, ".new.mce.ba9876543210.mctmp");
        File.WriteAllBytes(stale, new byte[10]);
        File.WriteAllBytes(fresh, new byte[10]);
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow - DirectoryLayerCache.StaleTemporaryAge - TimeSpan.FromMinutes(1));

        Assert.Equal(2, cache.GetStatistics().TemporaryFiles);
        var trim = cache.Trim(1 << 20);

        Assert.Equal((1, 0), (trim.RemovedTemporaryFiles, trim.RemovedEntries));
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(fresh));
    }

    [Fact]
    public void Clear_empties_a_cache_and_refuses_a_folder_that_is_not_one_MC6003()
    {
        using var p = new TestProject();
        var cache = new DirectoryLayerCache(p.PathOf("c"));
        cache.Put(KeyOf("1"), [1], 1);
        cache.Put(KeyOf("2", CacheEntryKind.CalibrationStatistics), [2], 1);

        Assert.Equal(3, cache.Clear()); // two entries and the tag
        Assert.False(Directory.Exists(p.PathOf("c")));
        Assert.Equal(0, cache.Clear());

        Directory.CreateDirectory(p.PathOf("src"));
        File.WriteAllText(p.PathOf("src/Program.cs"), "keep me");
        var ex = Assert.Throws<ModelCompressException>(() => new DirectoryLayerCache(p.PathOf("src")).Clear());
        Assert.Equal("MC6003", ex.Code);
        Assert.True(File.Exists(p.PathOf("src/Program.cs")));
    }
}
