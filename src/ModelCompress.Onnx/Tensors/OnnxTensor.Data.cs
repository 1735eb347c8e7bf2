using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ModelCompress.Onnx.Internal;

namespace ModelCompress.Onnx;

/// <summary>Raw access to a tensor's bytes.</summary>
public sealed partial class OnnxTensor
{
    /// <summary>
    /// The elements as a span over the raw little-endian bytes, without copying when the data is in memory
    /// (raw_data is shared with the parsed file). <typeparamref name="T"/> must have the element's width
    /// (e.g. <see cref="float"/> for Float, <see cref="Half"/> or <see cref="ushort"/> for Float16/BFloat16), or be
    /// <see cref="byte"/> for the raw bytes of any type (sub-byte types are packed, low nibble first).
    /// External data is read on the first access.
    /// </summary>
    public ReadOnlySpan<T> AsSpan<T>()
        where T : unmanaged
    {
        var storage = RequireStorage(nameof(AsSpan));
        var size = Unsafe.SizeOf<T>();
        if (size != 1 && size * 8 != TensorDataTypes.BitsPerElement(DataType))
        {
            throw OnnxErrors.Create("MC1011", null, Name, DataType, $"AsSpan<{typeof(T).Name}>");
        }

        return MemoryMarshal.Cast<byte, T>(storage.GetBytes().Span);
    }

    /// <summary>The raw little-endian bytes (shared, not copied, when already in memory).</summary>
    public ReadOnlyMemory<byte> GetRawData() => RequireStorage(nameof(GetRawData)).GetBytes();

    /// <summary>A copy of the raw little-endian bytes.</summary>
    public byte[] ToRawBytes() => GetRawData().ToArray();

    /// <summary>
    /// A stream over the raw bytes. For external data it reads the file region directly, so tensors larger than
    /// memory (or than one array) can be processed piece by piece.
    /// </summary>
    public Stream OpenRawDataStream() => RequireStorage(nameof(OpenRawDataStream)).OpenRead();

    /// <summary>Writes the raw bytes to <paramref name="destination"/>, streaming external data in chunks.</summary>
    public void CopyRawDataTo(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        RequireStorage(nameof(CopyRawDataTo)).CopyTo(destination);
    }

    /// <summary>Whether two tensors hold the same type, dims and raw bytes (names and doc strings are ignored).</summary>
    public bool DataEquals(OnnxTensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (DataType != other.DataType || !_dims.AsSpan().SequenceEqual(other._dims))
        {
            return false;
        }

        if (DataType == TensorDataType.String)
        {
            return _proto.StringData.SequenceEqual(other._proto.StringData);
        }

        if (_storage is null || other._storage is null)
        {
            return _storage is null && other._storage is null && _proto.Equals(other._proto);
        }

        if (_storage.ByteLength != other._storage.ByteLength)
        {
            return false;
        }

        if (_storage.IsInMemory && other._storage.IsInMemory)
        {
            return _storage.GetBytes().Span.SequenceEqual(other._storage.GetBytes().Span);
        }

        using var a = _storage.OpenRead();
        using var b = other._storage.OpenRead();
        return StreamsEqual(a, b);
    }

    private static bool StreamsEqual(Stream a, Stream b)
    {
        var bufA = new byte[1 << 16];
        var bufB = new byte[1 << 16];
        while (true)
        {
            var n = a.ReadAtLeast(bufA, bufA.Length, throwOnEndOfStream: false);
            var m = b.ReadAtLeast(bufB, bufB.Length, throwOnEndOfStream: false);
            if (n != m || !bufA.AsSpan(0, n).SequenceEqual(bufB.AsSpan(0, m)))
            {
                return false;
            }

            if (n == 0)
            {
                return true;
            }
        }
    }

    private TensorStorage RequireStorage(string operation) =>
        _storage ?? throw OnnxErrors.Create("MC1011", null, Name, DataType, operation);
}
