using Google.Protobuf;
using ModelCompress.Onnx.Internal;
using ModelCompress.Onnx.Proto;

namespace ModelCompress.Onnx;

/// <summary>
/// A named, immutable ONNX tensor (an initializer, a Constant node's value, or a tensor attribute). Its bytes are
/// held in memory, read on demand from an external data file, or produced by a generator when saved; readers see
/// one raw little-endian layout (<see cref="AsSpan{T}"/>) whatever the file used. To change a weight, create a new
/// tensor and put it in the graph with <see cref="OnnxGraph.SetInitializer(OnnxTensor)"/>.
/// </summary>
public sealed partial class OnnxTensor
{
    // Metadata (name, dims, type, doc string, metadata props) and, for tensors loaded inline, the data exactly as
    // it was in the file, so an unchanged tensor is written back in the same representation.
    private readonly TensorProto _proto;
    private readonly long[] _dims;
    private TensorStorage? _storage;

    private OnnxTensor(TensorProto proto, long[] dims, long elementCount, TensorStorage? storage)
    {
        _proto = proto;
        _dims = dims;
        ElementCount = elementCount;
        _storage = storage;
    }

    /// <summary>The tensor's name (the value name consumers refer to).</summary>
    public string Name => _proto.Name;

    /// <summary>The element type.</summary>
    public TensorDataType DataType => (TensorDataType)_proto.DataType;

    /// <summary>The dimensions (a copy; tensors are immutable).</summary>
    public long[] Dims => (long[])_dims.Clone();

    /// <summary>The number of dimensions.</summary>
    public int Rank => _dims.Length;

    /// <summary>The number of elements (the product of <see cref="Dims"/>; 1 for a scalar).</summary>
    public long ElementCount { get; }

    /// <summary>The size of the raw little-endian payload in bytes (0 for string tensors).</summary>
    public long ByteLength => _storage?.ByteLength ?? 0;

    /// <summary>The documentation string, if any.</summary>
    public string DocString => _proto.DocString;

    /// <summary>Whether the data stays in an external data file until it is read.</summary>
    public bool IsExternal => _storage is ExternalTensorStorage;

    /// <summary>Whether the data is already in memory (reading it costs no I/O).</summary>
    public bool IsDataInMemory => _storage is null || _storage.IsInMemory;

    /// <summary>For an external tensor, its location relative to the model's folder; otherwise null.</summary>
    public string? ExternalLocation => (_storage as ExternalTensorStorage)?.Location;

    /// <summary>The strings of a <see cref="TensorDataType.String"/> tensor (UTF-8 decoded).</summary>
    public IReadOnlyList<string> Strings => DataType == TensorDataType.String
        ? [.. _proto.StringData.Select(s => s.ToStringUtf8())]
        : throw OnnxErrors.Create("MC1011", null, Name, DataType, nameof(Strings));

    /// <summary>Dimension <paramref name="axis"/> (negative counts from the end).</summary>
    public long Dim(int axis) => _dims[axis < 0 ? axis + _dims.Length : axis];

    /// <summary>A copy of this tensor under another name (the data is shared, not copied).</summary>
    public OnnxTensor WithName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var proto = _proto.Clone();
        proto.Name = name;
        return new OnnxTensor(proto, _dims, ElementCount, _storage);
    }

    /// <summary>A copy of this tensor with other dimensions holding the same elements (like Reshape).</summary>
    public OnnxTensor Reshape(params long[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        var count = CheckedElementCount(Name, dims);
        if (count != ElementCount)
        {
            throw new ArgumentException($"Cannot reshape {ElementCount} elements to [{OnnxErrors.FormatDims(dims)}].", nameof(dims));
        }

        var proto = _proto.Clone();
        proto.Dims.Clear();
        proto.Dims.AddRange(dims);
        return new OnnxTensor(proto, (long[])dims.Clone(), count, _storage);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {DataType}[{OnnxErrors.FormatDims(_dims)}]";

    /// <summary>Element count of <paramref name="dims"/>, or MC1004 for negative dims and overflowing products.</summary>
    internal static long CheckedElementCount(string name, IReadOnlyList<long> dims)
    {
        long count = 1;
        foreach (var d in dims)
        {
            if (d < 0)
            {
                throw OnnxErrors.Create("MC1004", null, name, OnnxErrors.FormatDims(dims), "a dimension is negative");
            }

            if (d != 0 && count > TensorDataTypes.MaxElementCount / d)
            {
                throw OnnxErrors.Create("MC1004", null, name, OnnxErrors.FormatDims(dims), "the element count overflows");
            }

            count *= d;
        }

        return count;
    }

    /// <summary>A proto with this tensor's metadata and no data fields (external or generated tensors start here).</summary>
    private TensorProto MetadataProto()
    {
        var p = new TensorProto { Name = _proto.Name, DataType = _proto.DataType };
        p.Dims.AddRange(_dims);
        if (_proto.HasDocString)
        {
            p.DocString = _proto.DocString;
        }

        if (_proto.Segment is not null)
        {
            p.Segment = _proto.Segment.Clone();
        }

        p.MetadataProps.AddRange(_proto.MetadataProps.Select(e => e.Clone()));
        return p;
    }

    /// <summary>Creates a tensor over in-memory raw bytes that the caller no longer touches (no copy).</summary>
    internal static OnnxTensor FromOwnedRawBytes(string name, TensorDataType type, ReadOnlySpan<long> dims, ReadOnlyMemory<byte> bytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var dimArray = dims.ToArray();
        var count = CheckedElementCount(name, dimArray);
        var expected = TensorDataTypes.ByteCount(type, count);
        if (expected != bytes.Length)
        {
            throw OnnxErrors.Create("MC1005", null, name, type, OnnxErrors.FormatDims(dimArray), expected, bytes.Length);
        }

        var proto = new TensorProto { Name = name, DataType = (int)type, RawData = UnsafeByteOperations.UnsafeWrap(bytes) };
        proto.Dims.AddRange(dimArray);
        return new OnnxTensor(proto, dimArray, count, new MemoryTensorStorage(bytes));
    }
}
