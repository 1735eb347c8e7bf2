using System.Security.Cryptography;

namespace ModelCompress.Engine;

/// <summary>
/// A content-addressed cache in a folder: <c>&lt;dir&gt;/ab/abcdef….bin</c>, each file a magic, the SHA-256 of the
/// payload and the payload. A read recomputes the hash and treats any mismatch as a miss (and removes the entry); a
/// write goes through <see cref="AtomicFile"/>, so concurrent writers of the same key race harmlessly (same bytes).
/// </summary>
public sealed class DirectoryLayerCache : ILayerCache
{
    private static readonly byte[] Magic = "MCLC\u0001\0\0\0"u8.ToArray();
    private readonly string _root;

    /// <summary>Creates a cache rooted at <paramref name="directory"/> (created on first write).</summary>
    public DirectoryLayerCache(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        _root = Path.GetFullPath(directory);
    }

    /// <inheritdoc />
    public byte[]? TryGet(Passes.LayerWorkKey key)
    {
        var path = PathOf(key);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        const int HeaderLength = 8 + 32;
        if (bytes.Length >= HeaderLength && bytes.AsSpan(0, 8).SequenceEqual(Magic))
        {
            var payload = bytes.AsSpan(HeaderLength);
            if (SHA256.HashData(payload).AsSpan().SequenceEqual(bytes.AsSpan(8, 32)))
            {
                return payload.ToArray();
            }
        }

        AtomicFile.TryDelete(path);
        return null;
    }

    /// <inheritdoc />
    public void Put(Passes.LayerWorkKey key, ReadOnlySpan<byte> result)
    {
        var bytes = new byte[8 + 32 + result.Length];
        Magic.CopyTo(bytes, 0);
        SHA256.HashData(result).CopyTo(bytes, 8);
        result.CopyTo(bytes.AsSpan(40));
        AtomicFile.WriteAllBytes(PathOf(key), bytes);
    }

    private string PathOf(Passes.LayerWorkKey key) => Path.Combine(_root, key.Hex[..2], key.Hex + ".bin");
}
