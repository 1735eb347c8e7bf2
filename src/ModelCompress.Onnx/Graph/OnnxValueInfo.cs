using ModelCompress.Onnx.Proto;

namespace ModelCompress.Onnx;

/// <summary>
/// The declared type of a value: a graph input, output, or an annotated intermediate (value_info). For tensors it
/// carries the element type and a shape whose axes may be symbolic. Sequence, map and optional types are kept as
/// loaded and written back unchanged.
/// </summary>
public sealed class OnnxValueInfo
{
    internal OnnxValueInfo(ValueInfoProto proto) => Proto = proto;

    /// <summary>A tensor value of <paramref name="elementType"/>; <paramref name="shape"/> null means unknown rank.</summary>
    public OnnxValueInfo(string name, TensorDataType elementType, IEnumerable<OnnxDimension>? shape = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Proto = new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)elementType } } };
        if (shape is not null)
        {
            Shape = [.. shape];
        }
    }

    internal ValueInfoProto Proto { get; }

    /// <summary>The value's name.</summary>
    public string Name
    {
        get => Proto.Name;
        set => Proto.Name = value;
    }

    /// <summary>The documentation string.</summary>
    public string DocString
    {
        get => Proto.DocString;
        set => Proto.DocString = value;
    }

    /// <summary>The kind of type (tensor, sequence, ...).</summary>
    public OnnxValueKind Kind => Proto.Type?.ValueCase switch
    {
        TypeProto.ValueOneofCase.TensorType => OnnxValueKind.Tensor,
        TypeProto.ValueOneofCase.SparseTensorType => OnnxValueKind.SparseTensor,
        TypeProto.ValueOneofCase.SequenceType => OnnxValueKind.Sequence,
        TypeProto.ValueOneofCase.MapType => OnnxValueKind.Map,
        TypeProto.ValueOneofCase.OptionalType => OnnxValueKind.Optional,
        TypeProto.ValueOneofCase.OpaqueType => OnnxValueKind.Opaque,
        _ => OnnxValueKind.Unknown,
    };

    /// <summary>
    /// The element type of a tensor or sparse tensor (<see cref="TensorDataType.Undefined"/> otherwise). Setting it
    /// makes the value a tensor if it had no type.
    /// </summary>
    public TensorDataType ElementType
    {
        get => Proto.Type?.ValueCase switch
        {
            TypeProto.ValueOneofCase.TensorType => (TensorDataType)Proto.Type.TensorType.ElemType,
            TypeProto.ValueOneofCase.SparseTensorType => (TensorDataType)Proto.Type.SparseTensorType.ElemType,
            _ => TensorDataType.Undefined,
        };
        set
        {
            if (Proto.Type?.ValueCase == TypeProto.ValueOneofCase.SparseTensorType)
            {
                Proto.Type.SparseTensorType.ElemType = (int)value;
                return;
            }

            EnsureTensorType().ElemType = (int)value;
        }
    }

    /// <summary>The shape of a tensor (null when the rank is unknown). Setting it makes the value a tensor.</summary>
    public IReadOnlyList<OnnxDimension>? Shape
    {
        get
        {
            var shape = Proto.Type?.ValueCase switch
            {
                TypeProto.ValueOneofCase.TensorType => Proto.Type.TensorType.Shape,
                TypeProto.ValueOneofCase.SparseTensorType => Proto.Type.SparseTensorType.Shape,
                _ => null,
            };
            return shape?.Dim.Select(d => d.ValueCase switch
            {
                TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue => new OnnxDimension(d.DimValue, null),
                TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam => new OnnxDimension(null, d.DimParam),
                _ => OnnxDimension.Unknown,
            }).ToArray();
        }

        set
        {
            var tensor = EnsureTensorType();
            if (value is null)
            {
                tensor.Shape = null;
                return;
            }

            var shape = new TensorShapeProto();
            foreach (var d in value)
            {
                var dim = new TensorShapeProto.Types.Dimension();
                if (d.Value is { } v)
                {
                    dim.DimValue = v;
                }
                else if (!string.IsNullOrEmpty(d.Param))
                {
                    dim.DimParam = d.Param;
                }

                shape.Dim.Add(dim);
            }

            tensor.Shape = shape;
        }
    }

    /// <summary>The shape as numbers when every axis is known; otherwise null.</summary>
    public long[]? ConcreteDims
    {
        get
        {
            var shape = Shape;
            return shape is not null && shape.All(d => d.IsKnown) ? [.. shape.Select(d => d.Value!.Value)] : null;
        }
    }

    /// <summary>A deep copy.</summary>
    public OnnxValueInfo Clone() => new(Proto.Clone());

    /// <inheritdoc />
    public override string ToString() =>
        Kind == OnnxValueKind.Tensor
            ? $"{Name}: {ElementType}[{(Shape is null ? "?" : string.Join(",", Shape))}]"
            : $"{Name}: {Kind}";

    private TypeProto.Types.Tensor EnsureTensorType()
    {
        if (Proto.Type?.ValueCase != TypeProto.ValueOneofCase.TensorType)
        {
            Proto.Type = new TypeProto { TensorType = new TypeProto.Types.Tensor() };
        }

        return Proto.Type.TensorType;
    }
}
