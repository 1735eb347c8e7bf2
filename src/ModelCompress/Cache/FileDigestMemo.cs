using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using ModelCompress.Data;

namespace ModelCompress.Cache;

/// <summary>
/// SHA-256 of input files (source models, calibration and verify data, tokenizers, labels) without reading a file
/// again when nothing about it changed: a memo beside the cache maps a file's <see cref="FileStamp"/> (full path,
/// length, last-write time, and inode and change time where known) to the digest of its content. The cache itself stays
/// content-addressed; the memo only saves re-reading. A memo entry is trusted only when it is intact (its own checksum
/// matches), names the same path and stamp, and the file had settled before it was hashed (see
/// <see cref="FileStamp.SettledBefore"/>); anything else hashes the file again. Entries are written atomically, one small
/// file per path, so concurrent builds never read half an entry.
/// </summary>
internal sealed class FileDigestMemo
{
    /// <summary>The folder under the cache root that holds the memo.</summary>
    public const string FolderName = "file-digests";

    /// <summary>A stamp newer than the hash time minus this is unreliable (timestamp granularity of common file systems).</summary>
    public static readonly TimeSpan Granularity = TimeSpan.FromSeconds(2);

    private static readonly byte[] Magic = "MCFD1\n"u8.ToArray();
    private const int FixedBytes = 8 * 6;

    private readonly string? _folder;
    private readonly Func<DateTime> _utcNow;
    private readonly ConcurrentDictionary<(string Path, FileStamp Stamp), byte[]> _run = new();
    private int _hashed;
    private int _remembered;

    /// <summary>A memo under <paramref name="cacheRoot"/>; null keeps digests for this run only.</summary>
    public FileDigestMemo(string? cacheRoot, Func<DateTime>? utcNow = null)
    {
        _folder = cacheRoot is null ? null : Path.Combine(Path.GetFullPath(cacheRoot), FolderName);
        _utcNow = utcNow ?? (() => DateTime.UtcNow);
    }

    /// <summary>Files read and hashed.</summary>
    public int Hashed => _hashed;

    /// <summary>Digests taken from the memo instead of reading the file.</summary>
    public int Remembered => _remembered;

    /// <summary>SHA-256 of the content of <paramref name="path"/>; throws as <see cref="File.OpenRead"/> does.</summary>
    public byte[] Sha256(string path)
    {
        var full = Path.GetFullPath(path);
        var before = FileStamp.Of(full);
        if (before is { } stamp)
        {
            if (_run.TryGetValue((full, stamp), out var known))
            {
                return known;
            }

            if (TryRead(full, stamp) is { } remembered)
            {
                Interlocked.Increment(ref _remembered);
                _run[(full, stamp)] = remembered;
                return remembered;
            }
        }

        var hashedAt = _utcNow().Ticks;
        byte[] digest;
        using (var stream = File.OpenRead(full))
        {
            digest = SHA256.HashData(stream);
        }

        Interlocked.Increment(ref _hashed);

        // Only a file that did not change while it was read, and had settled before, is remembered.
        if (before is { } b && FileStamp.Of(full) == b && b.SettledBefore(hashedAt, Granularity))
        {
            _run[(full, b)] = digest;
            TryWrite(full, b, hashedAt, digest);
        }

        return digest;
    }

    /// <summary>The entry's file for <paramref name="fullPath"/> (null without a cache).</summary>
    public string? EntryPath(string fullPath) =>
        _folder is null ? null : Path.Combine(_folder, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(fullPath)))[..32] + ".memo");

    private byte[]? TryRead(string full, FileStamp stamp)
    {
        if (EntryPath(full) is not { } entry)
        {
            return null;
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(entry);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        var body = bytes.Length - SHA256.HashSizeInBytes;
        if (body < Magic.Length || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic)
            || !SHA256.HashData(bytes.AsSpan(0, body)).AsSpan().SequenceEqual(bytes.AsSpan(body)))
        {
            return null;
        }

        var expected = Encode(full, stamp, 0, new byte[SHA256.HashSizeInBytes]);
        var hashedAtAt = expected.Length - SHA256.HashSizeInBytes - 8;

        // The same path and stamp, byte for byte, up to the hash time; then the digest.
        if (body != expected.Length || !bytes.AsSpan(0, hashedAtAt).SequenceEqual(expected.AsSpan(0, hashedAtAt)))
        {
            return null;
        }

        var hashedAt = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(hashedAtAt));
        return stamp.SettledBefore(hashedAt, Granularity) ? bytes.AsSpan(hashedAtAt + 8, SHA256.HashSizeInBytes).ToArray() : null;
    }

    private void TryWrite(string full, FileStamp stamp, long hashedAt, byte[] digest)
    {
        if (EntryPath(full) is not { } entry)
        {
            return;
        }

        var body = Encode(full, stamp, hashedAt, digest);
        var bytes = new byte[body.Length + SHA256.HashSizeInBytes];
        body.CopyTo(bytes, 0);
        SHA256.HashData(body, bytes.AsSpan(body.Length));
        try
        {
            Directory.CreateDirectory(_folder!);
            AtomicFile.WriteAllBytes(entry, bytes);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The memo only saves time: a cache folder that cannot take it hashes again next time.
        }
    }

    // magic | path length | path | length | last write | device | inode | change | hashed at | digest
    private static byte[] Encode(string full, FileStamp stamp, long hashedAt, byte[] digest)
    {
        var path = Encoding.UTF8.GetBytes(full);
        var bytes = new byte[Magic.Length + 4 + path.Length + FixedBytes + digest.Length];
        var span = bytes.AsSpan();
        Magic.CopyTo(span);
        var at = Magic.Length;
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], path.Length);
        at += 4;
        path.CopyTo(span[at..]);
        at += path.Length;
        foreach (var field in (ReadOnlySpan<long>)[stamp.Length, stamp.LastWriteTicks, (long)stamp.Device, (long)stamp.Inode, stamp.ChangeTicks, hashedAt])
        {
            BinaryPrimitives.WriteInt64LittleEndian(span[at..], field);
            at += 8;
        }

        digest.CopyTo(span[at..]);
        return bytes;
    }
}
