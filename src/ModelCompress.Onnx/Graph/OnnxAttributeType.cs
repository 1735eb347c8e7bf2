namespace ModelCompress.Onnx;

/// <summary>The type of an <see cref="OnnxAttribute"/>; numbering as in the ONNX IR's AttributeProto.AttributeType.</summary>
public enum OnnxAttributeType
{
    /// <summary>Not set.</summary>
    Undefined = 0,

    /// <summary>A float.</summary>
    Float = 1,

    /// <summary>A 64-bit integer.</summary>
    Int = 2,

    /// <summary>A string (bytes, normally UTF-8).</summary>
    String = 3,

    /// <summary>A tensor.</summary>
    Tensor = 4,

    /// <summary>A graph (If/Loop/Scan bodies).</summary>
    Graph = 5,

    /// <summary>A list of floats.</summary>
    Floats = 6,

    /// <summary>A list of integers.</summary>
    Ints = 7,

    /// <summary>A list of strings.</summary>
    Strings = 8,

    /// <summary>A list of tensors.</summary>
    Tensors = 9,

    /// <summary>A list of graphs.</summary>
    Graphs = 10,

    /// <summary>A sparse tensor (kept as loaded).</summary>
    SparseTensor = 11,

    /// <summary>A list of sparse tensors (kept as loaded).</summary>
    SparseTensors = 12,

    /// <summary>A type (kept as loaded).</summary>
    TypeProto = 13,

    /// <summary>A list of types (kept as loaded).</summary>
    TypeProtos = 14,
}
