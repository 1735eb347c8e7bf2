namespace ModelCompress.Kernels;

/// <summary>An 8-bit integer type that tensors are quantized to.</summary>
public enum QuantizedType
{
    /// <summary>Signed 8-bit, −128…127 (ONNX INT8).</summary>
    Int8 = 0,

    /// <summary>Unsigned 8-bit, 0…255 (ONNX UINT8).</summary>
    UInt8 = 1,
}
