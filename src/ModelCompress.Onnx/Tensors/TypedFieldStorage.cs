using System.Runtime.InteropServices;
using ModelCompress.Onnx.Proto;

namespace ModelCompress.Onnx.Internal;

/// <summary>
/// Data held in a TensorProto's typed repeated fields rather than raw_data. The ONNX IR widens narrow types into
/// int32_data (int8/uint8/int16/uint16/bool, float16 and bfloat16 bit patterns, float8 bytes, and one packed byte of
/// two 4-bit values per entry), keeps uint32 in uint64_data and complex numbers as pairs. We convert to the raw
/// little-endian layout once, on first access, so the rest of the library sees a single representation.
/// </summary>
internal sealed class TypedFieldStorage(TensorProto proto, TensorDataType type, long byteLength) : TensorStorage
{
    private readonly Lock _gate = new();
    private byte[]? _bytes;

    public override long ByteLength => byteLength;

    public override bool IsInMemory => true;

    /// <summary>How many entries of its typed field a tensor of <paramref name="elementCount"/> elements needs.</summary>
    public static long ExpectedFieldCount(TensorDataType type, long elementCount) => type switch
    {
        TensorDataType.Complex64 or TensorDataType.Complex128 => elementCount * 2,
        TensorDataType.Int4 or TensorDataType.UInt4 or TensorDataType.Float4E2M1 => (elementCount + 1) / 2,
        TensorDataType.Int2 or TensorDataType.UInt2 => (elementCount + 3) / 4,
        _ => elementCount,
    };

    /// <summary>The number of entries in the typed field that holds <paramref name="type"/>.</summary>
    public static long FieldCount(TensorProto proto, TensorDataType type) => type switch
    {
        TensorDataType.Float or TensorDataType.Complex64 => proto.FloatData.Count,
        TensorDataType.Int64 => proto.Int64Data.Count,
        TensorDataType.Double or TensorDataType.Complex128 => proto.DoubleData.Count,
        TensorDataType.UInt32 or TensorDataType.UInt64 => proto.Uint64Data.Count,
        TensorDataType.String => proto.StringData.Count,
        _ => proto.Int32Data.Count,
    };

    public override ReadOnlyMemory<byte> GetBytes()
    {
        lock (_gate)
        {
            return _bytes ??= Convert();
        }
    }

    private byte[] Convert()
    {
        var bytes = new byte[byteLength];
        switch (type)
        {
            case TensorDataType.Float or TensorDataType.Complex64:
                CopyAll(proto.FloatData, bytes);
                break;
            case TensorDataType.Int64:
                CopyAll(proto.Int64Data, bytes);
                break;
            case TensorDataType.Double or TensorDataType.Complex128:
                CopyAll(proto.DoubleData, bytes);
                break;
            case TensorDataType.UInt64:
                CopyAll(proto.Uint64Data, bytes);
                break;
            case TensorDataType.UInt32:
                var u32 = MemoryMarshal.Cast<byte, uint>(bytes.AsSpan());
                for (var i = 0; i < u32.Length; i++)
                {
                    u32[i] = (uint)proto.Uint64Data[i];
                }

                break;
            case TensorDataType.Int32:
                CopyAll(proto.Int32Data, bytes);
                break;
            case TensorDataType.Int16 or TensorDataType.UInt16 or TensorDataType.Float16 or TensorDataType.BFloat16:
                var u16 = MemoryMarshal.Cast<byte, ushort>(bytes.AsSpan());
                for (var i = 0; i < u16.Length; i++)
                {
                    u16[i] = (ushort)proto.Int32Data[i];
                }

                break;
            default:
                // One byte per entry: 8-bit integers and floats, bool, and packed 4-bit / 2-bit groups.
                for (var i = 0; i < bytes.Length; i++)
                {
                    bytes[i] = (byte)proto.Int32Data[i];
                }

                break;
        }

        return bytes;
    }

    private static void CopyAll<T>(Google.Protobuf.Collections.RepeatedField<T> field, byte[] bytes)
        where T : unmanaged
    {
        var dst = MemoryMarshal.Cast<byte, T>(bytes.AsSpan());
        for (var i = 0; i < dst.Length; i++)
        {
            dst[i] = field[i];
        }
    }
}
