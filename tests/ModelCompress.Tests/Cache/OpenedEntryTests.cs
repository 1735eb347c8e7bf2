using System.Security.Cryptography;
using ModelCompress.Cache;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Testing;

namespace ModelCompress.Tests.Cache;

/// <summary>
/// Entries opened in place (<see cref="DirectoryLayerCache.TryOpen"/>): verified as thoroughly as entries read whole —
/// every flipped, dropped or added byte is MC6001, deleted and a miss — and read back through the handle afterwards.
/// </summary>
public sealed class OpenedEntryTests
{
    // More than one of the 4 MiB pieces the entry is verified in, so a byte in the second piece is checked too.
    private static readonly byte[] Payload = [.. Enumerable.Range(0, (4 << 20) + 5000).Select(i => (byte)((i * 31) + (i >> 12)))];

    [Fact]
    public void An_opened_entry_reads_back_its_payload_and_hash_even_after_it_is_evicted()
    {
        using var p = new TestProject();
        var sink = new ListDiagnosticSink();
        var cache = new DirectoryLayerCache(p.PathOf("c"), sink);
        var key = DirectoryLayerCacheTests.KeyOf("k");
        Assert.Null(cache.TryOpen(key));
        cache.Put(key, Payload, 12.5);

        using var opened = cache.TryOpen(key)!;

        Assert.Equal(Payload.Length, opened.Length);
        Assert.Equal(12.5, opened.ComputeMilliseconds);
        Assert.Equal(SHA256.HashData(Payload), opened.Sha256);
        File.Delete(cache.PathOf(key)); // another run's trim: the open handle still reads the verified file
        Assert.Equal(Payload, opened.Read(0, opened.Length));
        using var tail = new MemoryStream();
        opened.CopyTo(Payload.Length - 7000, 7000, tail);
        Assert.Equal(Payload[^7000..], tail.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => opened.Read(1, opened.Length));
        Assert.Empty(sink.Items);
    }

    /// <summary><paramref name="damage"/>: "flip N" flips a bit of byte N (negative: from the end), "cut N" keeps N bytes, "drop" the last byte gone, "append" one byte more.</summary>
    [Theory]
    [InlineData("flip 0")] // magic
    [InlineData("flip 9")] // key
    [InlineData("flip 41")] // announced length
    [InlineData("flip 60")] // checksum
    [InlineData("flip 88")] // first payload byte
    [InlineData("flip 4194409")] // in the second piece (88 + 4 MiB + 17)
    [InlineData("flip -1")] // last byte
    [InlineData("cut 40")]
    [InlineData("drop")]
    [InlineData("append")]
    public void Any_damaged_entry_file_is_MC6001_deleted_and_a_miss(string damage)
    {
        using var p = new TestProject();
        var sink = new ListDiagnosticSink();
        var cache = new DirectoryLayerCache(p.PathOf("c"), sink);
        var key = DirectoryLayerCacheTests.KeyOf("k");
        cache.Put(key, Payload, 1);
        var path = cache.PathOf(key);
        var bytes = File.ReadAllBytes(path);
        var parts = damage.Split(' ');
        var at = parts.Length > 1 ? int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : 0;
        if (parts[0] == "flip")
        {
            bytes[at < 0 ? bytes.Length + at : at] ^= 0x04;
        }

        File.WriteAllBytes(path, parts[0] switch { "cut" => bytes[..at], "drop" => bytes[..^1], "append" => [.. bytes, 0], _ => bytes });

        Assert.Null(cache.TryOpen(key));

        Assert.Equal("MC6001", Assert.Single(sink.Items).Code);
        Assert.False(File.Exists(path));
    }
}
