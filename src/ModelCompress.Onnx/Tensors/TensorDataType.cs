namespace ModelCompress.Onnx;

/// <summary>
/// Element types of ONNX tensors. The numbering is the ONNX IR's <c>TensorProto.DataType</c>: it is written to
/// files as is, so the values must never change.
/// </summary>
public enum TensorDataType
{
    /// <summary>Not set.</summary>
    Undefined = 0,

    /// <summary>32-bit IEEE float.</summary>
    Float = 1,

    /// <summary>Unsigned 8-bit integer.</summary>
    UInt8 = 2,

    /// <summary>Signed 8-bit integer.</summary>
    Int8 = 3,

    /// <summary>Unsigned 16-bit integer.</summary>
    UInt16 = 4,

    /// <summary>Signed 16-bit integer.</summary>
    Int16 = 5,

    /// <summary>Signed 32-bit integer.</summary>
    Int32 = 6,

    /// <summary>Signed 64-bit integer.</summary>
    Int64 = 7,

    /// <summary>UTF-8 string (no raw byte layout; strings are held one per element).</summary>
    String = 8,

    /// <summary>Boolean, one byte per element.</summary>
    Bool = 9,

    /// <summary>IEEE half precision.</summary>
    Float16 = 10,

    /// <summary>64-bit IEEE float.</summary>
    Double = 11,

    /// <summary>Unsigned 32-bit integer.</summary>
    UInt32 = 12,

    /// <summary>Unsigned 64-bit integer.</summary>
    UInt64 = 13,

    /// <summary>Complex number of two 32-bit floats.</summary>
    Complex64 = 14,

    /// <summary>Complex number of two 64-bit floats.</summary>
    Complex128 = 15,

    /// <summary>Brain float: the upper 16 bits of a 32-bit float.</summary>
    BFloat16 = 16,

    /// <summary>8-bit float, 4 exponent bits, 3 mantissa bits, finite only.</summary>
    Float8E4M3FN = 17,

    /// <summary>8-bit float E4M3, finite only, no negative zero.</summary>
    Float8E4M3FNUZ = 18,

    /// <summary>8-bit float, 5 exponent bits, 2 mantissa bits.</summary>
    Float8E5M2 = 19,

    /// <summary>8-bit float E5M2, finite only, no negative zero.</summary>
    Float8E5M2FNUZ = 20,

    /// <summary>Unsigned 4-bit integer, two per byte (low nibble first).</summary>
    UInt4 = 21,

    /// <summary>Signed 4-bit integer, two per byte (low nibble first).</summary>
    Int4 = 22,

    /// <summary>4-bit float E2M1, two per byte.</summary>
    Float4E2M1 = 23,

    /// <summary>8-bit exponent-only float (scale type).</summary>
    Float8E8M0 = 24,

    /// <summary>Unsigned 2-bit integer, four per byte.</summary>
    UInt2 = 25,

    /// <summary>Signed 2-bit integer, four per byte.</summary>
    Int2 = 26,
}
