using System.Security.Cryptography;
using ModelCompress.Cache;
using ModelCompress.Testing;
using ModelCompress.Onnx.Diagnostics;

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

    [Theory]
    [InlineData(0)] // magic
    [InlineData(9)] // key
    [InlineData(41)] // announced length
    [InlineData(60)] // checksum
    [InlineData(88)] // first payload byte
    [InlineData(88 + (4 << 20) + 17)] // second piece
    [InlineData(-1)] // last byte
    public void Any_flipped_byte_is_MC6001_deleted_and_a_miss(int at)
    {
        using var p = new TestProject();
        var sink = new ListDiagnosticSink();
        var cache = new DirectoryLayerCache(p.PathOf("c"), sink);
        var key = DirectoryLayerCacheTests.KeyOf("k");
        cache.Put(key, Payload, 1);
        var path = cache.PathOf(key);
        var bytes = File.ReadAllBytes(path);
        bytes[at < 0 ? bytes.Length + at : at] ^= 0x04;
        File.WriteAllBytes(path, bytes);

        Assert.Null(cache.TryOpen(key));

        Assert.Equal("MC6001", Assert.Single(sink.Items).Code);
        Assert.False(File.Exists(path));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    [InlineData(40)]
    public void A_file_cut_short_or_grown_is_MC6001_and_a_miss(int change)
    {
        using var p = new TestProject();
        var sink = new ListDiagnosticSink();
        var cache = new DirectoryLayerCache(p.PathOf("c"), sink);
        var key = DirectoryLayerCacheTests.KeyOf("k");
        cache.Put(key, Payload, 1);
        var path = cache.PathOf(key);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, change switch { 1 => [.. bytes, 0], -1 => bytes[..^1], _ => bytes[..change] });

        Assert.Null(cache.TryOpen(key));

        Assert.Equal("MC6001", Assert.Single(sink.Items).Code);
        Assert.False(File.Exists(path));
    }
}
