using ModelCompress.Cache;
using ModelCompress.Execution;
using ModelCompress.Testing;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ModelCompress.Tests.Cache;

/// <summary>
/// Large entries (a cut's activations) are streamed to their file with the checksum taken on the way: the file must
/// hold the very bytes <see cref="CacheEntryFormat.Encode"/> makes, read back like any entry, and a writer that breaks
/// its announced length must leave nothing behind.
/// </summary>
public sealed class StreamedEntryTests
{
    private static readonly CacheKey Key = new(CacheEntryKind.SegmentActivations, new string('c', 64));

    private static List<IReadOnlyDictionary<string, CarriedTensor>> Samples(int count) =>
        [.. Enumerable.Range(0, count).Select(i => (IReadOnlyDictionary<string, CarriedTensor>)new Dictionary<string, CarriedTensor>(StringComparer.Ordinal)
        {
            ["x"] = new(TensorElementType.Float, [1, 3, 5], [.. Enumerable.Range(0, 60).Select(b => (byte)(b * 7 + i))]),
            ["mask"] = new(TensorElementType.Int64, [2], [.. Enumerable.Range(0, 16).Select(b => (byte)(b + i))]),
        })];

    [Fact]
    public void A_streamed_entry_is_byte_identical_to_an_encoded_one_and_reads_back()
    {
        using var dir = new TempDirectory();
        var samples = Samples(3);
        string[] names = ["x", "mask"];
        var payload = ActivationCodec.Encode(names, samples);
        Assert.Equal(ActivationCodec.Length(names, samples), payload.LongLength);

        var cache = new DirectoryLayerCache(dir.FullPath);
        cache.Put(Key, payload.LongLength, s => ActivationCodec.Write(s, names, samples), 4.5);

        Assert.Equal(CacheEntryFormat.Encode(Key, payload, 4.5), File.ReadAllBytes(cache.PathOf(Key)));
        var decoded = ActivationCodec.TryDecode(cache.TryGet(Key)!.Payload, names, 3);
        Assert.NotNull(decoded);
        Assert.Equal(samples[2]["x"].Data, decoded[2]["x"].Data);
        Assert.Equal(samples[1]["mask"].Shape, decoded[1]["mask"].Shape);
    }

    [Fact]
    public void A_writer_that_breaks_its_announced_length_leaves_no_entry_and_no_temporary_file()
    {
        using var dir = new TempDirectory();
        var cache = new DirectoryLayerCache(dir.FullPath);

        Assert.Throws<InvalidOperationException>(() => cache.Put(Key, 10, s => s.Write(new byte[9]), 0));

        Assert.Null(cache.TryGet(Key));
        Assert.DoesNotContain(Directory.GetFiles(dir.FullPath, "*", SearchOption.AllDirectories), f => !f.EndsWith(DirectoryLayerCache.MarkerFileName, StringComparison.Ordinal));
    }

    [Fact]
    public void The_interface_default_assembles_the_same_payload()
    {
        var memory = new MemoryCache();
        ILayerCache cache = memory;
        cache.Put(Key, 5, s => s.Write([1, 2, 3, 4, 5]), 0);

        Assert.Equal([1, 2, 3, 4, 5], memory.Stored[Key]);
    }

    private sealed class MemoryCache : ILayerCache
    {
        public Dictionary<CacheKey, byte[]> Stored { get; } = [];

        public CacheEntry? TryGet(CacheKey key) => Stored.TryGetValue(key, out var payload) ? new CacheEntry(payload, 0) : null;

        public void Put(CacheKey key, ReadOnlySpan<byte> payload, double computeMilliseconds) => Stored[key] = payload.ToArray();
    }
}
