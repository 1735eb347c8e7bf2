namespace ModelCompress.Data;

/// <summary>The element types a data file (.npy, .npz, IDX) may hold.</summary>
public enum NdElementType
{
    /// <summary>IEEE 754 binary32.</summary>
    Float32,

    /// <summary>IEEE 754 binary64.</summary>
    Float64,

    /// <summary>IEEE 754 binary16.</summary>
    Float16,

    /// <summary>Signed 8-bit integer.</summary>
    Int8,

    /// <summary>Unsigned 8-bit integer.</summary>
    UInt8,

    /// <summary>Signed 16-bit integer.</summary>
    Int16,

    /// <summary>Unsigned 16-bit integer.</summary>
    UInt16,

    /// <summary>Signed 32-bit integer.</summary>
    Int32,

    /// <summary>Unsigned 32-bit integer.</summary>
    UInt32,

    /// <summary>Signed 64-bit integer.</summary>
    Int64,

    /// <summary>Unsigned 64-bit integer.</summary>
    UInt64,

    /// <summary>One byte per value, 0 or 1.</summary>
    Bool,
}
