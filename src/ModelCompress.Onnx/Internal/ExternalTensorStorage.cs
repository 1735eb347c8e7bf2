namespace ModelCompress.Onnx.Internal;

/// <summary>
/// Bytes [offset, offset + length) of an external data file inside the model's folder. Nothing is read at load
/// time; each access streams the region (see <see cref="DeferredTensorStorage"/> for the weak cache).
/// </summary>
internal sealed class ExternalTensorStorage(string fullPath, string location, long offset, long length) : DeferredTensorStorage
{
    /// <summary>The resolved absolute path of the data file (already checked to lie inside the model folder).</summary>
    public string FullPath { get; } = fullPath;

    /// <summary>The location as written in the model (relative to the model's folder).</summary>
    public string Location { get; } = location;

    public long Offset { get; } = offset;

    public override long ByteLength => length;

    public override void CopyTo(Stream destination)
    {
        using var source = OpenRead();
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            long left = length;
            while (left > 0)
            {
                var n = source.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
                if (n == 0)
                {
                    throw new EndOfStreamException($"External data file '{Location}' ended early.");
                }

                destination.Write(buffer, 0, n);
                left -= n;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public override Stream OpenRead() => new FileRegionStream(FullPath, Offset, length);
}
