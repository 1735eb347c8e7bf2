namespace ModelCompress.Onnx;

/// <summary>Facts about <see cref="TensorDataType"/> values: storage width and byte counts.</summary>
public static class TensorDataTypes
{
    /// <summary>The largest element count a tensor may declare (2^53, far above anything that fits on disk).</summary>
    public const long MaxElementCount = 1L << 53;

    /// <summary>Bits one element takes in raw (little-endian, packed) storage; 0 for strings and unknown types.</summary>
    public static int BitsPerElement(TensorDataType type) => type switch
    {
        TensorDataType.Float or TensorDataType.Int32 or TensorDataType.UInt32 => 32,
        TensorDataType.UInt8 or TensorDataType.Int8 or TensorDataType.Bool => 8,
        TensorDataType.Float8E4M3FN or TensorDataType.Float8E4M3FNUZ => 8,
        TensorDataType.Float8E5M2 or TensorDataType.Float8E5M2FNUZ or TensorDataType.Float8E8M0 => 8,
        TensorDataType.UInt16 or TensorDataType.Int16 or TensorDataType.Float16 or TensorDataType.BFloat16 => 16,
        TensorDataType.Int64 or TensorDataType.UInt64 or TensorDataType.Double or TensorDataType.Complex64 => 64,
        TensorDataType.Complex128 => 128,
        TensorDataType.UInt4 or TensorDataType.Int4 or TensorDataType.Float4E2M1 => 4,
        TensorDataType.UInt2 or TensorDataType.Int2 => 2,
        _ => 0,
    };

    /// <summary>Whether <paramref name="type"/> has a fixed-width raw layout (everything but strings and unknown values).</summary>
    public static bool HasRawLayout(TensorDataType type) => BitsPerElement(type) > 0;

    /// <summary>
    /// Bytes needed to hold <paramref name="elementCount"/> elements in raw layout; sub-byte types are packed and the
    /// last byte is padded (ONNX IR: "two 4-bit values per byte, the first in the low nibble").
    /// </summary>
    public static long ByteCount(TensorDataType type, long elementCount)
    {
        var bits = BitsPerElement(type);
        if (bits == 0)
        {
            throw new ArgumentException($"{type} has no raw byte layout.", nameof(type));
        }

        return bits >= 8 ? checked(elementCount * (bits / 8)) : (checked(elementCount * bits) + 7) / 8;
    }
}
