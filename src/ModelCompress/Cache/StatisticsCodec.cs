using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using ModelCompress.Calibration;
using ModelCompress.Execution;
using ModelCompress.Passes;

namespace ModelCompress.Cache;

/// <summary>
/// How a step's calibration statistics are stored: one small <em>index</em> entry under the calibration key, and one
/// <em>part</em> entry per distinct value statistics, addressed by content.
/// <para>
/// The index payload is a count, then per value name (ordinal order) the UTF-8 name (int32 length-prefixed,
/// little-endian) and the 32-byte SHA-256 of that value's statistics in <see cref="LayerInputStatistics.ToBytes"/>'s
/// encoding — the very hash that enters layer keys (<see cref="Engine.CacheSession.StatisticsHash(LayerInputStatistics?)"/>).
/// A part's payload is those bytes; its key is derived from their hash (<see cref="PartKey"/>).
/// </para>
/// <para>
/// Why split: SmoothQuant's statistics carry hundreds of captured input rows per group (tens of MB per step), but a
/// run whose layers all hit needs only the hashes, for the keys. Reading the index (a few KB, checksum-verified like
/// any entry) gives them; a part is read, verified (entry checksum, then its SHA-256 against the index) and decoded
/// only when a layer misses. Parts are shared by every index that lists the same statistics, so a recalibration whose
/// values mostly came out the same writes only the parts that changed.
/// </para>
/// </summary>
internal static class StatisticsCodec
{
    private static readonly byte[] PartDomain = "modelcompress.statistics-part.v1"u8.ToArray();

    /// <summary>The index payload of <paramref name="hashes"/> (value name → SHA-256 of its statistics' bytes).</summary>
    public static byte[] EncodeIndex(IReadOnlyDictionary<string, byte[]> hashes)
    {
        ArgumentNullException.ThrowIfNull(hashes);
        using var stream = new MemoryStream();
        Span<byte> int32 = stackalloc byte[4];
        Write(stream, int32, hashes.Count);
        foreach (var (name, hash) in hashes.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (hash.Length != SHA256.HashSizeInBytes)
            {
                throw new ArgumentException("a statistics hash is a SHA-256", nameof(hashes));
            }

            var nameBytes = Encoding.UTF8.GetBytes(name);
            Write(stream, int32, nameBytes.Length);
            stream.Write(nameBytes);
            stream.Write(hash);
        }

        return stream.ToArray();
    }

    /// <summary>Decodes an index payload; false when it is not in this format (an entry from another engine build).</summary>
    public static bool TryDecodeIndex(ReadOnlySpan<byte> payload, out Dictionary<string, byte[]> hashes)
    {
        hashes = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var at = 0;
        if (!TryRead(payload, ref at, out var count))
        {
            return false;
        }

        for (var i = 0; i < count; i++)
        {
            if (!TryRead(payload, ref at, out var nameLength) || nameLength > payload.Length - at - SHA256.HashSizeInBytes)
            {
                return false;
            }

            var name = Encoding.UTF8.GetString(payload.Slice(at, nameLength));
            at += nameLength;
            if (!hashes.TryAdd(name, payload.Slice(at, SHA256.HashSizeInBytes).ToArray()))
            {
                return false;
            }

            at += SHA256.HashSizeInBytes;
        }

        return at == payload.Length;
    }

    /// <summary>
    /// The cache key of the part holding the statistics whose bytes hash to <paramref name="statisticsHash"/>: a
    /// domain-separated hash of it, so part keys never coincide with calibration or layer keys.
    /// </summary>
    public static CacheKey PartKey(ReadOnlySpan<byte> statisticsHash)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(PartDomain);
        hash.AppendData(statisticsHash);
        return new CacheKey(CacheEntryKind.CalibrationStatistics, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    /// <summary>
    /// Decodes a part read back for <paramref name="expectedHash"/>; false when its bytes do not hash to it or are not
    /// in <see cref="LayerInputStatistics.ToBytes"/>'s encoding.
    /// </summary>
    public static bool TryDecodePart(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> expectedHash, out LayerInputStatistics statistics)
    {
        statistics = null!;
        return SHA256.HashData(payload).AsSpan().SequenceEqual(expectedHash) && LayerInputStatistics.TryFromBytes(payload, out statistics);
    }

    private static void Write(MemoryStream stream, Span<byte> buffer, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(buffer, value);
        stream.Write(buffer);
    }

    private static bool TryRead(ReadOnlySpan<byte> payload, ref int at, out int value) =>
        CacheEntryFormat.TryInt(payload, ref at, out value) && value >= 0;
}
