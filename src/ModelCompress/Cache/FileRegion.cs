using Microsoft.Win32.SafeHandles;

namespace ModelCompress.Cache;

/// <summary>Positioned reads of an open file: what a spill file and a cache entry kept open both read their bytes with.</summary>
internal static class FileRegion
{
    /// <summary>Fills <paramref name="destination"/> from <paramref name="offset"/>; a file that ends first is an error.</summary>
    public static void ReadExactly(SafeFileHandle handle, long offset, Span<byte> destination)
    {
        while (destination.Length > 0)
        {
            var n = RandomAccess.Read(handle, destination, offset);
            if (n <= 0)
            {
                throw new EndOfStreamException("The file ended before the bytes it was expected to hold.");
            }

            offset += n;
            destination = destination[n..];
        }
    }

    /// <summary>Writes <paramref name="length"/> bytes from <paramref name="offset"/> to <paramref name="destination"/> a buffer at a time.</summary>
    public static void CopyTo(SafeFileHandle handle, long offset, long length, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            for (long done = 0; done < length;)
            {
                var n = (int)Math.Min(buffer.Length, length - done);
                ReadExactly(handle, offset + done, buffer.AsSpan(0, n));
                destination.Write(buffer, 0, n);
                done += n;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
