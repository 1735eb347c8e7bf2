using System.Security.Cryptography;
using ModelCompress.Data;

namespace ModelCompress.Cache;

/// <summary>Entries opened in place (<see cref="TryOpen"/>).</summary>
public sealed partial class DirectoryLayerCache
{
    private const int OpenChunkBytes = 4 << 20;

    /// <inheritdoc />
    /// <remarks>
    /// The file is read through once in pieces, each piece added to the entry's checksum and to the payload's own
    /// SHA-256 (the two on two cores), so verifying costs no more than <see cref="TryGet(CacheKey)"/> and holds one
    /// piece instead of the payload; a damaged entry is reported (MC6001), deleted and a miss, as there.
    /// </remarks>
    public CachedPayload? TryOpen(CacheKey key)
    {
        var path = PathOf(key);
        Microsoft.Win32.SafeHandles.SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Warn("MC6002", path, path, "read", ex.Message);
            return null;
        }

        string problem;
        try
        {
            (var payload, problem) = Verify(handle, key);
            if (payload is not null)
            {
                Touch(path);
                return payload;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            handle.Dispose();
            Warn("MC6002", path, path, "read", ex.Message);
            return null;
        }

        handle.Dispose();
        Warn("MC6001", path, path, problem);
        AtomicFile.TryDelete(path);
        return null;
    }

    /// <summary>The opened entry, or null and what is wrong with the file.</summary>
    private static (CachedPayload? Payload, string Problem) Verify(Microsoft.Win32.SafeHandles.SafeFileHandle handle, CacheKey key)
    {
        var length = RandomAccess.GetLength(handle);
        var header = new byte[CacheEntryFormat.HeaderLength];
        if (length < header.Length || length - header.Length > Array.MaxLength)
        {
            var bytes = new byte[Math.Min(length, header.Length)];
            FileRegion.ReadExactly(handle, 0, bytes);
            CacheEntryFormat.TryDecode(bytes, key, out _, out var problem);
            return (null, problem);
        }

        FileRegion.ReadExactly(handle, 0, header);
        var payloadLength = length - header.Length;
        using var checksum = CacheEntryFormat.StartChecksum(header);
        using var own = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent((int)Math.Min(OpenChunkBytes, Math.Max(1, payloadLength)));
        try
        {
            for (long done = 0; done < payloadLength;)
            {
                var piece = buffer.AsSpan(0, (int)Math.Min(buffer.Length, payloadLength - done));
                FileRegion.ReadExactly(handle, header.Length + done, piece);
                var (at, n) = (0, piece.Length);
                Parallel.Invoke(() => checksum.AppendData(buffer, at, n), () => own.AppendData(buffer, at, n));
                done += n;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }

        // A file that grew while it was read is not what its header describes.
        var grown = RandomAccess.GetLength(handle) != length ? "the file is longer than it was when opened" : string.Empty;
        var problemFound = CacheEntryFormat.Check(header, key, payloadLength, checksum.GetHashAndReset());
        problemFound = problemFound.Length > 0 ? problemFound : grown;
        return problemFound.Length > 0
            ? (null, problemFound)
            : (new CachedPayload(handle, header.Length, (int)payloadLength, System.Buffers.Binary.BinaryPrimitives.ReadDoubleLittleEndian(header.AsSpan(48)), own.GetHashAndReset()), string.Empty);
    }
}
