using System.Security.Cryptography;
using System.Text;
using ModelCompress.Cache;

namespace ModelCompress.Engine;

/// <summary>
/// The cache key of a value a run derives from content it already has keys for (a model digest, layer work keys):
/// SHA-256 over a domain and length-prefixed fields, stored with the segment results (what a caller computed).
/// </summary>
internal static class MemoKey
{
    /// <summary>The key of <paramref name="fields"/> under <paramref name="domain"/>.</summary>
    public static CacheKey Of(string domain, params IEnumerable<byte[]> fields)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Field(hash, Encoding.UTF8.GetBytes(domain));
        foreach (var field in fields)
        {
            Field(hash, field);
        }

        return new CacheKey(CacheEntryKind.SegmentResult, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    /// <summary>UTF-8 bytes of <paramref name="text"/>, as a field.</summary>
    public static byte[] Text(string text) => Encoding.UTF8.GetBytes(text);

    // Length-prefixed, so adjacent fields never run into each other.
    private static void Field(IncrementalHash hash, ReadOnlySpan<byte> field)
    {
        Span<byte> length = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(length, field.Length);
        hash.AppendData(length);
        hash.AppendData(field);
    }
}
