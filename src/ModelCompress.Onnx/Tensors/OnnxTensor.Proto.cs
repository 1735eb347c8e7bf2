using System.Globalization;
using Google.Protobuf;
using ModelCompress.Onnx.Internal;
using ModelCompress.Onnx.Proto;

namespace ModelCompress.Onnx;

/// <summary>Conversion between <see cref="OnnxTensor"/> and the wire-format TensorProto.</summary>
public sealed partial class OnnxTensor
{
    /// <summary>
    /// Wraps a parsed TensorProto after checking it: dims must be non-negative with a product that fits, and the data
    /// (raw, typed field or external range) must hold exactly the bytes the dims and type need. Everything is checked
    /// before anything is allocated from the dims, so hostile headers cost nothing. External data is not read here.
    /// </summary>
    internal static OnnxTensor FromProto(TensorProto proto, ExternalDataResolver resolver, string? file)
    {
        var name = proto.Name;
        var type = (TensorDataType)proto.DataType;
        var dims = proto.Dims.ToArray();
        var count = CheckedElementCount(name, dims);
        var hasLayout = TensorDataTypes.HasRawLayout(type);
        var expected = hasLayout ? TensorDataTypes.ByteCount(type, count) : 0;
        var segmented = proto.Segment is not null;

        if (proto.HasDataLocation && proto.DataLocation == TensorProto.Types.DataLocation.External)
        {
            if (!hasLayout)
            {
                throw OnnxErrors.Create("MC1011", file, name, type, "external data");
            }

            return new OnnxTensor(proto, dims, count, OpenExternal(proto, resolver, expected, segmented, file));
        }

        if (proto.HasRawData)
        {
            if (!segmented && hasLayout && proto.RawData.Length != expected)
            {
                throw OnnxErrors.Create("MC1005", file, name, type, OnnxErrors.FormatDims(dims), expected, proto.RawData.Length);
            }

            return new OnnxTensor(proto, dims, count, new MemoryTensorStorage(proto.RawData));
        }

        if (type == TensorDataType.String)
        {
            if (!segmented && proto.StringData.Count != count)
            {
                throw OnnxErrors.Create("MC1005", file, name, type, OnnxErrors.FormatDims(dims), count + " strings", proto.StringData.Count + " strings");
            }

            return new OnnxTensor(proto, dims, count, null);
        }

        if (!hasLayout)
        {
            // An element type this library does not know (newer IR): keep the proto as is, data unchecked.
            return new OnnxTensor(proto, dims, count, null);
        }

        var have = TypedFieldStorage.FieldCount(proto, type);
        var want = TypedFieldStorage.ExpectedFieldCount(type, count);
        if (segmented)
        {
            var elementsHeld = type is TensorDataType.Complex64 or TensorDataType.Complex128 ? have / 2 : have;
            return new OnnxTensor(proto, dims, count, new TypedFieldStorage(proto, type, TensorDataTypes.ByteCount(type, elementsHeld)));
        }

        if (have != want)
        {
            var bytesHeld = TensorDataTypes.ByteCount(type, type is TensorDataType.Complex64 or TensorDataType.Complex128 ? have / 2 : have);
            throw OnnxErrors.Create("MC1005", file, name, type, OnnxErrors.FormatDims(dims), expected, bytesHeld);
        }

        return new OnnxTensor(proto, dims, count, new TypedFieldStorage(proto, type, expected));
    }

    private static ExternalTensorStorage OpenExternal(TensorProto proto, ExternalDataResolver resolver, long expected, bool segmented, string? file)
    {
        var name = proto.Name;
        string? location = null;
        long offset = 0;
        long? length = null;
        foreach (var entry in proto.ExternalData)
        {
            switch (entry.Key)
            {
                case "location":
                    location = entry.Value;
                    break;
                case "offset":
                    offset = ParseNonNegative(name, entry, file);
                    break;
                case "length":
                    length = ParseNonNegative(name, entry, file);
                    break;
                default:
                    break; // "checksum" and future keys: not needed to read the bytes.
            }
        }

        if (string.IsNullOrEmpty(location))
        {
            throw OnnxErrors.Create("MC1009", file, name, "it has no 'location' key");
        }

        var full = resolver.Resolve(name, location);
        var size = resolver.FileSize(full);
        var len = length ?? (size - offset);
        if (offset > size || len > size - offset)
        {
            throw OnnxErrors.Create("MC1008", file, name, offset, offset + len, location, size);
        }

        if (!segmented && len != expected)
        {
            throw OnnxErrors.Create("MC1005", file, name, (TensorDataType)proto.DataType, OnnxErrors.FormatDims(proto.Dims), expected, len);
        }

        return new ExternalTensorStorage(full, location, offset, len);
    }

    private static long ParseNonNegative(string name, StringStringEntryProto entry, string? file)
    {
        if (!long.TryParse(entry.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var v))
        {
            throw OnnxErrors.Create("MC1009", file, name, $"'{entry.Key}' is '{entry.Value}', not a non-negative integer");
        }

        return v;
    }

    /// <summary>The tensor as a TensorProto with its data inline (external or generated data is read now).</summary>
    internal TensorProto ToInlineProto()
    {
        if (_storage is null or MemoryTensorStorage or TypedFieldStorage)
        {
            return _proto;
        }

        var p = MetadataProto();
        p.RawData = UnsafeByteOperations.UnsafeWrap(_storage.GetBytes());
        return p;
    }

    /// <summary>
    /// The tensor as a TensorProto whose data sits at [offset, offset + length) of <paramref name="location"/>;
    /// the caller has written the bytes there.
    /// </summary>
    internal TensorProto ToExternalProto(string location, long offset, long length)
    {
        var p = MetadataProto();
        p.DataLocation = TensorProto.Types.DataLocation.External;
        p.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
        p.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString(CultureInfo.InvariantCulture) });
        p.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = length.ToString(CultureInfo.InvariantCulture) });
        return p;
    }

    /// <summary>Whether the tensor can be written to an external data file (it has a raw layout).</summary>
    internal bool CanBeExternal => _storage is not null && TensorDataTypes.HasRawLayout(DataType) && _proto.Segment is null;

    /// <summary>Writes the raw bytes to <paramref name="destination"/>, streaming external and generated data.</summary>
    internal void WriteRawData(Stream destination) => _storage?.CopyTo(destination);

    /// <summary>After a save, points this tensor at where its bytes now live (so the old data file may go away).</summary>
    internal void Rebind(TensorStorage storage) => _storage = storage;

    /// <summary>The current storage (save uses it to find tensors that read from a file about to be replaced).</summary>
    internal TensorStorage? Storage => _storage;
}
