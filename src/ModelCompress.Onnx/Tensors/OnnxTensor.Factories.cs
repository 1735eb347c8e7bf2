using System.Runtime.InteropServices;
using Google.Protobuf;
using ModelCompress.Onnx.Internal;
using ModelCompress.Onnx.Proto;

namespace ModelCompress.Onnx;

/// <summary>Factories: each copies the caller's data once into the tensor's own raw little-endian buffer.</summary>
public sealed partial class OnnxTensor
{
    /// <summary>A Float tensor.</summary>
    public static OnnxTensor FromFloats(string name, ReadOnlySpan<long> dims, ReadOnlySpan<float> values) =>
        FromValues(name, TensorDataType.Float, dims, values);

    /// <summary>A Double tensor.</summary>
    public static OnnxTensor FromDoubles(string name, ReadOnlySpan<long> dims, ReadOnlySpan<double> values) =>
        FromValues(name, TensorDataType.Double, dims, values);

    /// <summary>An Int8 tensor.</summary>
    public static OnnxTensor FromInt8(string name, ReadOnlySpan<long> dims, ReadOnlySpan<sbyte> values) =>
        FromValues(name, TensorDataType.Int8, dims, values);

    /// <summary>A UInt8 tensor.</summary>
    public static OnnxTensor FromUInt8(string name, ReadOnlySpan<long> dims, ReadOnlySpan<byte> values) =>
        FromValues(name, TensorDataType.UInt8, dims, values);

    /// <summary>An Int16 tensor.</summary>
    public static OnnxTensor FromInt16(string name, ReadOnlySpan<long> dims, ReadOnlySpan<short> values) =>
        FromValues(name, TensorDataType.Int16, dims, values);

    /// <summary>An Int32 tensor.</summary>
    public static OnnxTensor FromInt32(string name, ReadOnlySpan<long> dims, ReadOnlySpan<int> values) =>
        FromValues(name, TensorDataType.Int32, dims, values);

    /// <summary>An Int64 tensor.</summary>
    public static OnnxTensor FromInt64(string name, ReadOnlySpan<long> dims, ReadOnlySpan<long> values) =>
        FromValues(name, TensorDataType.Int64, dims, values);

    /// <summary>A Bool tensor (one byte per element, 0 or 1).</summary>
    public static OnnxTensor FromBools(string name, ReadOnlySpan<long> dims, ReadOnlySpan<bool> values) =>
        FromValues(name, TensorDataType.Bool, dims, values);

    /// <summary>A Float16 tensor from half values.</summary>
    public static OnnxTensor FromFloat16(string name, ReadOnlySpan<long> dims, ReadOnlySpan<Half> values) =>
        FromValues(name, TensorDataType.Float16, dims, values);

    /// <summary>A Float16 tensor from floats, rounded to nearest even.</summary>
    public static OnnxTensor FromFloat16(string name, ReadOnlySpan<long> dims, ReadOnlySpan<float> values)
    {
        var halves = new Half[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            halves[i] = (Half)values[i];
        }

        return FromFloat16(name, dims, halves);
    }

    /// <summary>A BFloat16 tensor from floats, rounded to nearest even (NaN stays NaN).</summary>
    public static OnnxTensor FromBFloat16(string name, ReadOnlySpan<long> dims, ReadOnlySpan<float> values)
    {
        var bits = new ushort[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            bits[i] = FloatBits.FloatToBFloat16(values[i]);
        }

        return FromValues(name, TensorDataType.BFloat16, dims, bits);
    }

    /// <summary>A BFloat16 tensor from its 16-bit patterns.</summary>
    public static OnnxTensor FromBFloat16Bits(string name, ReadOnlySpan<long> dims, ReadOnlySpan<ushort> bits) =>
        FromValues(name, TensorDataType.BFloat16, dims, bits);

    /// <summary>An Int4 tensor from values in [-8, 7], packed two per byte, the first in the low nibble.</summary>
    public static OnnxTensor FromInt4(string name, ReadOnlySpan<long> dims, ReadOnlySpan<sbyte> values)
    {
        foreach (var v in values)
        {
            if (v is < -8 or > 7)
            {
                throw new ArgumentOutOfRangeException(nameof(values), v, "Int4 values must lie in [-8, 7].");
            }
        }

        return Pack4(name, TensorDataType.Int4, dims, MemoryMarshal.AsBytes(values));
    }

    /// <summary>A UInt4 tensor from values in [0, 15], packed two per byte, the first in the low nibble.</summary>
    public static OnnxTensor FromUInt4(string name, ReadOnlySpan<long> dims, ReadOnlySpan<byte> values)
    {
        foreach (var v in values)
        {
            if (v > 15)
            {
                throw new ArgumentOutOfRangeException(nameof(values), v, "UInt4 values must lie in [0, 15].");
            }
        }

        return Pack4(name, TensorDataType.UInt4, dims, values);
    }

    /// <summary>A tensor of any fixed-width type from its raw little-endian bytes (copied).</summary>
    public static OnnxTensor FromRawBytes(string name, TensorDataType dataType, ReadOnlySpan<long> dims, ReadOnlySpan<byte> rawData)
    {
        if (!TensorDataTypes.HasRawLayout(dataType))
        {
            throw OnnxErrors.Create("MC1011", null, name, dataType, nameof(FromRawBytes));
        }

        return FromOwnedRawBytes(name, dataType, dims, rawData.ToArray());
    }

    /// <summary>A String tensor.</summary>
    public static OnnxTensor FromStrings(string name, ReadOnlySpan<long> dims, IEnumerable<string> values)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(values);
        var dimArray = dims.ToArray();
        var count = CheckedElementCount(name, dimArray);
        var proto = new TensorProto { Name = name, DataType = (int)TensorDataType.String };
        proto.Dims.AddRange(dimArray);
        proto.StringData.AddRange(values.Select(ByteString.CopyFromUtf8));
        if (proto.StringData.Count != count)
        {
            throw OnnxErrors.Create("MC1005", null, name, TensorDataType.String, OnnxErrors.FormatDims(dimArray), count + " strings", proto.StringData.Count + " strings");
        }

        return new OnnxTensor(proto, dimArray, count, null);
    }

    /// <summary>
    /// A tensor whose raw bytes are produced by <paramref name="writeRawData"/> only when needed: when the model is
    /// saved (streamed straight into the file) or when the data is read. It must write exactly
    /// <see cref="TensorDataTypes.ByteCount"/> bytes each time it is called, and the same bytes every time. This
    /// builds models larger than memory.
    /// </summary>
    public static OnnxTensor FromGenerator(string name, TensorDataType dataType, ReadOnlySpan<long> dims, Action<Stream> writeRawData)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(writeRawData);
        if (!TensorDataTypes.HasRawLayout(dataType))
        {
            throw OnnxErrors.Create("MC1011", null, name, dataType, nameof(FromGenerator));
        }

        var dimArray = dims.ToArray();
        var count = CheckedElementCount(name, dimArray);
        var proto = new TensorProto { Name = name, DataType = (int)dataType };
        proto.Dims.AddRange(dimArray);
        var storage = new GeneratedTensorStorage(TensorDataTypes.ByteCount(dataType, count), writeRawData);
        return new OnnxTensor(proto, dimArray, count, storage);
    }

    private static OnnxTensor FromValues<T>(string name, TensorDataType type, ReadOnlySpan<long> dims, ReadOnlySpan<T> values)
        where T : unmanaged
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var count = CheckedElementCount(name, dims.ToArray());
        if (count != values.Length)
        {
            throw OnnxErrors.Create("MC1005", null, name, type, OnnxErrors.FormatDims(dims.ToArray()), TensorDataTypes.ByteCount(type, count), TensorDataTypes.ByteCount(type, values.Length));
        }

        return FromOwnedRawBytes(name, type, dims, MemoryMarshal.AsBytes(values).ToArray());
    }

    private static OnnxTensor Pack4(string name, TensorDataType type, ReadOnlySpan<long> dims, ReadOnlySpan<byte> nibbles)
    {
        var length = nibbles.Length;
        var count = CheckedElementCount(name, dims.ToArray());
        if (count != length)
        {
            throw OnnxErrors.Create("MC1005", null, name, type, OnnxErrors.FormatDims(dims.ToArray()), TensorDataTypes.ByteCount(type, count), TensorDataTypes.ByteCount(type, length));
        }

        var packed = new byte[(length + 1) / 2];
        for (var i = 0; i < length; i++)
        {
            var v = nibbles[i] & 0x0F;
            packed[i >> 1] |= (byte)((i & 1) == 0 ? v : v << 4);
        }

        return FromOwnedRawBytes(name, type, dims, packed);
    }
}
