using System.Buffers.Binary;
using System.Text;
using ModelCompress.Passes;

namespace ModelCompress.Engine.Cache;

/// <summary>
/// The payload of a calibration statistics entry: a count, then per value name (ordinal order) the UTF-8 name and the
/// statistics in <see cref="LayerInputStatistics.ToBytes"/>'s encoding, each length-prefixed (int32, little-endian).
/// Reading it back gives statistics whose <see cref="LayerInputStatistics.ToBytes"/> equals the stored bytes, so
/// layer keys computed from cached statistics equal those computed from fresh ones.
/// </summary>
internal static class StatisticsCodec
{
    /// <summary>Sees one decoded value with the bytes it was read from.</summary>
    public delegate void SpanAction<in T>(T value, ReadOnlySpan<byte> bytes);

    /// <summary>Encodes <paramref name="statistics"/>; <paramref name="encoded"/> sees each value's statistics with their bytes.</summary>
    public static byte[] Encode(IReadOnlyDictionary<string, LayerInputStatistics> statistics, Action<LayerInputStatistics, ReadOnlyMemory<byte>>? encoded = null)
    {
        using var stream = new MemoryStream();
        Span<byte> int32 = stackalloc byte[4];
        Write(stream, int32, statistics.Count);
        foreach (var (name, stats) in statistics.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var nameBytes = Encoding.UTF8.GetBytes(name);
            Write(stream, int32, nameBytes.Length);
            stream.Write(nameBytes);
            var bytes = stats.ToBytes();
            encoded?.Invoke(stats, bytes);
            Write(stream, int32, bytes.Length);
            stream.Write(bytes);
        }

        return stream.ToArray();
    }

    /// <summary>Decodes a payload; false when it is not in this format (an entry from another engine build).</summary>
    public static bool TryDecode(ReadOnlySpan<byte> payload, out Dictionary<string, LayerInputStatistics> statistics) =>
        TryDecode(payload, out statistics, null);

    /// <summary>Decodes a payload; <paramref name="decoded"/> sees each value's statistics with the bytes they were read from.</summary>
    public static bool TryDecode(
        ReadOnlySpan<byte> payload, out Dictionary<string, LayerInputStatistics> statistics, SpanAction<LayerInputStatistics>? decoded)
    {
        statistics = new Dictionary<string, LayerInputStatistics>(StringComparer.Ordinal);
        var at = 0;
        if (!TryRead(payload, ref at, out var count))
        {
            return false;
        }

        for (var i = 0; i < count; i++)
        {
            if (!TryRead(payload, ref at, out var nameLength) || nameLength > payload.Length - at)
            {
                return false;
            }

            var name = Encoding.UTF8.GetString(payload.Slice(at, nameLength));
            at += nameLength;
            if (!TryRead(payload, ref at, out var length) || length > payload.Length - at
                || !TryParseStatistics(payload.Slice(at, length), out var stats) || !statistics.TryAdd(name, stats))
            {
                return false;
            }

            decoded?.Invoke(stats, payload.Slice(at, length));

            at += length;
        }

        return at == payload.Length;
    }

    /// <summary>The inverse of <see cref="LayerInputStatistics.ToBytes"/> (ranges, and histogram and rows when present).</summary>
    private static bool TryParseStatistics(ReadOnlySpan<byte> bytes, out LayerInputStatistics statistics) =>
        LayerInputStatistics.TryFromBytes(bytes, out statistics);

    private static void Write(MemoryStream stream, Span<byte> buffer, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(buffer, value);
        stream.Write(buffer);
    }

    private static bool TryRead(ReadOnlySpan<byte> payload, ref int at, out int value)
    {
        value = 0;
        if (payload.Length - at < 4)
        {
            return false;
        }

        value = BinaryPrimitives.ReadInt32LittleEndian(payload[at..]);
        at += 4;
        return value >= 0;
    }
}
