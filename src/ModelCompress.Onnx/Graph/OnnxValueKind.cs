namespace ModelCompress.Onnx;

/// <summary>What kind of value an <see cref="OnnxValueInfo"/> describes (ONNX TypeProto's cases).</summary>
public enum OnnxValueKind
{
    /// <summary>No type information.</summary>
    Unknown,

    /// <summary>A dense tensor.</summary>
    Tensor,

    /// <summary>A sparse tensor.</summary>
    SparseTensor,

    /// <summary>A sequence of values.</summary>
    Sequence,

    /// <summary>A map.</summary>
    Map,

    /// <summary>An optional value.</summary>
    Optional,

    /// <summary>An opaque (ONNX-ML) type.</summary>
    Opaque,
}
