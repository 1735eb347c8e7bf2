using System.Security.Cryptography;
using System.Text;
using ModelCompress.Cache;
using ModelCompress.Onnx.Diagnostics;

namespace ModelCompress.Fuzz.Targets;

/// <summary>
/// The cache entry reader: the fuzzed bytes are written as an entry file and read back through the directory cache; a
/// bad entry must be refused (and deleted), never thrown or trusted. Accepted payloads go through the statistics codec.
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
    }
}
