using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using ModelCompress.Onnx.Internal;

namespace ModelCompress.Cache;

/// <summary>
/// The bytes of one cache entry file, little-endian:
/// <code>
///  0  4  magic "MCCE"
///  4  2  format version (1)
///  6  1  kind (<see cref="CacheEntryKind"/>)
///  7  1  reserved (0)
///  8 32  the key's SHA-256 (an entry copied or renamed to another key's file is rejected)
/// 40  8  payload length
/// 48  8  compute milliseconds (float64)
/// 56 32  SHA-256 of bytes 0..56 followed by the payload
/// 88  …  payload
/// </code>
/// The checksum covers the header too, so any flipped byte, a truncation or an appended tail is caught on read.
/// </summary>
internal static class CacheEntryFormat
{
    /// <summary>The header length in bytes.</summary>
    public const int HeaderLength = 88;

    /// <summary>The current format version.</summary>
    public const ushort Version = 1;

    private const int HashedHeaderLength = 56;

    private static ReadOnlySpan<byte> Magic => "MCCE"u8;

    /// <summary>The file bytes of an entry.</summary>
    public static byte[] Encode(CacheKey key, ReadOnlySpan<byte> payload, double computeMilliseconds)
    {
        var bytes = new byte[HeaderLength + payload.Length];
        var span = bytes.AsSpan();
        Magic.CopyTo(span);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], Version);
        span[6] = (byte)key.Kind;
        key.ToBytes().CopyTo(span[8..]);
        BinaryPrimitives.WriteInt64LittleEndian(span[40..], payload.Length);
        var ms = double.IsFinite(computeMilliseconds) && computeMilliseconds > 0 ? computeMilliseconds : 0;
        BinaryPrimitives.WriteDoubleLittleEndian(span[48..], ms);
        payload.CopyTo(span[HeaderLength..]);
        Checksum(span).CopyTo(span[HashedHeaderLength..]);
        return bytes;
    }

    /// <summary>
    /// Writes the entry for <paramref name="key"/> to <paramref name="file"/> (seekable, positioned at 0) with its
    /// payload produced by <paramref name="writePayload"/>, which must write exactly <paramref name="payloadLength"/>
    /// bytes: the same bytes as <see cref="Encode"/>, with the checksum taken as the payload streams through, so a
    /// large payload is never held twice.
    /// </summary>
    public static void Write(Stream file, CacheKey key, long payloadLength, Action<Stream> writePayload, double computeMilliseconds)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(writePayload);
        var header = Encode(key, [], computeMilliseconds);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(40), payloadLength);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(header, 0, HashedHeaderLength);
        file.Write(header);
        using (var counted = new CountingWriteStream(new HashingStream(hash, file)))
        {
            writePayload(counted);
            if (counted.Written != payloadLength)
            {
                throw new InvalidOperationException(Invariant($"the payload writer wrote {counted.Written} bytes, {payloadLength} were announced"));
            }
        }

        file.Position = HashedHeaderLength;
        file.Write(hash.GetHashAndReset());
    }

    /// <summary>
    /// Checks <paramref name="bytes"/> as the entry for <paramref name="key"/>; on failure <paramref name="problem"/>
    /// says what is wrong (for MC6001).
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, CacheKey key, out CacheEntry? entry, out string problem)
    {
        entry = null;
        if (bytes.Length < HeaderLength)
        {
            problem = Invariant($"truncated: {bytes.Length} bytes, shorter than the {HeaderLength}-byte header");
            return false;
        }

        return TryDecode(bytes[..HeaderLength], bytes[HeaderLength..].ToArray(), key, out entry, out problem);
    }

    /// <summary>
    /// Checks an entry read as its <paramref name="header"/> (<see cref="HeaderLength"/> bytes) and its
    /// <paramref name="payload"/>, which the entry then holds without a copy.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> header, byte[] payload, CacheKey key, out CacheEntry? entry, out string problem)
    {
        ArgumentNullException.ThrowIfNull(payload);
        entry = null;
        problem = Check(header, payload, key);
        if (problem.Length > 0)
        {
            return false;
        }

        entry = new CacheEntry(payload, BinaryPrimitives.ReadDoubleLittleEndian(header[48..]));
        return true;
    }

    private static string Check(ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload, CacheKey key) =>
        Check(header, key, payload.Length, header.Length == HeaderLength ? Checksum(header, payload) : []);

    /// <summary>
    /// Starts the checksum of an entry read in pieces: the header's hashed part is added here, the payload by the
    /// caller as it reads it, and <see cref="Check(ReadOnlySpan{byte}, CacheKey, long, ReadOnlySpan{byte})"/> compares.
    /// </summary>
    public static IncrementalHash StartChecksum(ReadOnlySpan<byte> header)
    {
        var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(header[..HashedHeaderLength]);
        return hash;
    }

    /// <summary>
    /// What is wrong with an entry whose <paramref name="header"/> was read, whose payload is
    /// <paramref name="payloadLength"/> bytes long and checksums to <paramref name="checksum"/> (empty when fine): the
    /// same checks as reading the entry whole.
    /// </summary>
    public static string Check(ReadOnlySpan<byte> header, CacheKey key, long payloadLength, ReadOnlySpan<byte> checksum)
    {
        if (header.Length != HeaderLength)
        {
            return Invariant($"truncated: {header.Length} bytes, shorter than the {HeaderLength}-byte header");
        }

        if (!header[..4].SequenceEqual(Magic))
        {
            return "not a cache entry (bad magic)";
        }

        var version = BinaryPrimitives.ReadUInt16LittleEndian(header[4..]);
        if (version != Version)
        {
            return Invariant($"entry format version {version}, expected {Version}");
        }

        if (header[6] != (byte)key.Kind || header[7] != 0)
        {
            return Invariant($"kind {header[6]} where {(byte)key.Kind} was expected");
        }

        if (!header.Slice(8, 32).SequenceEqual(key.ToBytes()))
        {
            return "it holds the entry of another key";
        }

        var length = BinaryPrimitives.ReadInt64LittleEndian(header[40..]);
        if (length != payloadLength)
        {
            return Invariant($"the header announces {length} payload bytes but the file holds {payloadLength}");
        }

        var ms = BinaryPrimitives.ReadDoubleLittleEndian(header[48..]);
        if (!header.Slice(HashedHeaderLength, 32).SequenceEqual(checksum) || !double.IsFinite(ms) || ms < 0)
        {
            return "checksum mismatch";
        }

        return string.Empty;
    }

    /// <summary>SHA-256 of the header's first 56 bytes followed by the payload.</summary>
    private static byte[] Checksum(ReadOnlySpan<byte> entry) => Checksum(entry[..HeaderLength], entry[HeaderLength..]);

    private static byte[] Checksum(ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(header[..HashedHeaderLength]);
        hash.AppendData(payload);
        return hash.GetHashAndReset();
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    /// <summary>Reads a little-endian int32 at <paramref name="at"/> when 4 bytes are left, advancing past it.</summary>
    internal static bool TryInt(ReadOnlySpan<byte> payload, ref int at, out int value)
    {
        value = 0;
        if (payload.Length - at < 4)
        {
            return false;
        }

        value = BinaryPrimitives.ReadInt32LittleEndian(payload[at..]);
        at += 4;
        return true;
    }
}
