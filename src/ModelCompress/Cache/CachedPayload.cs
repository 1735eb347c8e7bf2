using Microsoft.Win32.SafeHandles;

namespace ModelCompress.Cache;

/// <summary>
/// A verified cache entry whose payload stays in its file (<see cref="ILayerCache.TryOpen"/>): the whole file was read
/// and its checksum checked when it was opened, the same check as <see cref="ILayerCache.TryGet"/>, and the payload is
/// read again through the handle kept open since — the same file even if another run replaces or evicts the entry
/// meanwhile (entries are only ever renamed over or deleted, never written in place). A rebuild of a large model from
/// the cache then holds one layer's result at a time without copying every result into a scratch file first. The
/// handle closes when this is disposed or no longer referenced.
/// </summary>
public sealed class CachedPayload : IDisposable
{
    private readonly SafeFileHandle _handle;
    private readonly long _offset;

    internal CachedPayload(SafeFileHandle handle, long offset, int length, double computeMilliseconds, byte[] sha256)
    {
        (_handle, _offset, Length, ComputeMilliseconds, Sha256) = (handle, offset, length, computeMilliseconds, sha256);
    }

    /// <summary>The payload's length in bytes.</summary>
    public int Length { get; }

    /// <summary>What computing the payload cost when it was stored (for "time saved").</summary>
    public double ComputeMilliseconds { get; }

    /// <summary>SHA-256 of the payload alone, taken while it was verified.</summary>
    public byte[] Sha256 { get; }

    /// <summary><paramref name="count"/> bytes of the payload from <paramref name="start"/>, into a new array.</summary>
    public byte[] Read(int start, int count)
    {
        CheckRange(start, count);
        var bytes = GC.AllocateUninitializedArray<byte>(count);
        FileRegion.ReadExactly(_handle, _offset + start, bytes);
        return bytes;
    }

    /// <summary>Writes <paramref name="count"/> bytes of the payload from <paramref name="start"/> to <paramref name="destination"/>.</summary>
    public void CopyTo(int start, int count, Stream destination)
    {
        CheckRange(start, count);
        FileRegion.CopyTo(_handle, _offset + start, count, destination);
    }

    /// <inheritdoc />
    public void Dispose() => _handle.Dispose();

    private void CheckRange(int start, int count)
    {
        if (start < 0 || count < 0 || (long)start + count > Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count), "The range lies outside the payload.");
        }
    }
}
