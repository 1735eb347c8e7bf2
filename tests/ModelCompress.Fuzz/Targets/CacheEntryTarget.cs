using System.Security.Cryptography;
using System.Text;
using ModelCompress.Cache;
using ModelCompress.Onnx.Diagnostics;

namespace ModelCompress.Fuzz.Targets;

/// <summary>
/// The cache entry reader: the fuzzed bytes are written as an entry file and read back through the directory cache; a
/// bad entry must be refused (and deleted), never thrown or trusted. Accepted payloads go through the statistics codec.
/// The same bytes are then opened in place (the reader a rebuild from the cache uses for large results): both readers
/// must agree on whether the entry is sound and on its payload and hash, or the input counts as a crash.
/// </summary>
public sealed class CacheEntryTarget : IFuzzTarget
{
    private static readonly CacheKey Key = new(CacheEntryKind.LayerResult, Convert.ToHexStringLower(SHA256.HashData("fuzz"u8)));

    /// <inheritdoc />
    public string Name => "cache";

    /// <inheritdoc />
    public IEnumerable<byte[]> Seeds()
    {
        var hashes = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["/layer0/MatMul_output_0"] = SHA256.HashData("a"u8),
            ["input"] = SHA256.HashData("b"u8),
        };
        yield return CacheEntryFormat.Encode(Key, StatisticsCodec.EncodeIndex(hashes), 12.5);
        yield return CacheEntryFormat.Encode(Key, Encoding.UTF8.GetBytes("layer payload"), 0);
    }

    /// <inheritdoc />
    public void Execute(byte[] input, string scratch)
    {
        var sink = new ListDiagnosticSink();
        var cache = new DirectoryLayerCache(Path.Combine(scratch, "cache"), sink);
        var path = cache.PathOf(Key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, input);
        var entry = cache.TryGet(Key);
        CodedSink.ThrowFirst(sink, DiagnosticSeverity.Warning);
        if (entry is not null)
        {
            if (StatisticsCodec.TryDecodeIndex(entry.Payload, out var index))
            {
                foreach (var hash in index.Values)
                {
                    _ = StatisticsCodec.TryDecodePart(entry.Payload, hash, out _);
                }
            }
        }

        File.WriteAllBytes(path, input);
        using var opened = cache.TryOpen(Key);
        CodedSink.ThrowFirst(sink, DiagnosticSeverity.Warning);
        if ((opened is null) != (entry is null))
        {
            throw new InvalidOperationException($"the entry readers disagree: read {(entry is null ? "refused" : "accepted")}, open {(opened is null ? "refused" : "accepted")}");
        }

        if (opened is not null && entry is not null
            && (!opened.Read(0, opened.Length).AsSpan().SequenceEqual(entry.Payload) || !opened.Sha256.AsSpan().SequenceEqual(SHA256.HashData(entry.Payload))))
        {
            throw new InvalidOperationException("the opened entry's payload or hash differs from the one read");
        }
    }
}
