using ModelCompress.Onnx.Proto;

namespace ModelCompress.Onnx.Internal;

/// <summary>
/// Writes tensors for one save: initializers of at least <c>threshold</c> bytes are streamed into the (temporary)
/// external data file, aligned; everything else goes inline. It remembers where each tensor went so that, once the
/// files are in place, tensors that were reading the file just replaced can be pointed at their new place.
/// </summary>
internal sealed class SaveTensorWriter(string? tempDataPath, string location, long threshold, int alignment) : TensorProtoWriter, IDisposable
{
    private readonly List<(OnnxTensor Tensor, long Offset, long Length)> _external = [];
    private readonly List<(OnnxTensor Tensor, ReadOnlyMemory<byte> Bytes)> _materialized = [];
    private FileStream? _data;

    public bool WroteExternalData => _data is not null;

    public override TensorProto Write(OnnxTensor tensor, bool isInitializer)
    {
        if (tempDataPath is null || !isInitializer || !tensor.CanBeExternal || tensor.ByteLength < threshold)
        {
            var proto = tensor.ToInlineProto();
            if (tensor.Storage is DeferredTensorStorage && proto.HasRawData)
            {
                _materialized.Add((tensor, proto.RawData.Memory));
            }

            return proto;
        }

        _data ??= new FileStream(tempDataPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        var pad = (alignment - (_data.Position % alignment)) % alignment;
        if (pad > 0)
        {
            _data.Write(new byte[pad]);
        }

        var offset = _data.Position;
        tensor.WriteRawData(_data);
        var length = _data.Position - offset;
        if (length != tensor.ByteLength)
        {
            throw new InvalidOperationException($"Tensor '{tensor.Name}' wrote {length} bytes; expected {tensor.ByteLength}.");
        }

        _external.Add((tensor, offset, length));
        return tensor.ToExternalProto(location, offset, length);
    }

    /// <summary>Flushes the data file to the disk (before the renames make it visible).</summary>
    public void Complete()
    {
        if (_data is not null)
        {
            _data.Flush(flushToDisk: true);
            _data.Dispose();
        }
    }

    /// <summary>
    /// Repoints tensors that were reading from <paramref name="finalDataPath"/>, which the save just replaced: to their
    /// new range in it, or to memory for those now written inline. Other tensors keep their storage, so a model (or a
    /// clone sharing its tensors) never comes to depend on a file only because it was once saved there.
    /// </summary>
    public void Rebind(string finalDataPath)
    {
        foreach (var (tensor, offset, length) in _external)
        {
            if (tensor.Storage is ExternalTensorStorage e && e.FullPath == finalDataPath)
            {
                tensor.Rebind(new ExternalTensorStorage(finalDataPath, location, offset, length));
            }
        }

        foreach (var (tensor, bytes) in _materialized)
        {
            if (tensor.Storage is ExternalTensorStorage e && e.FullPath == finalDataPath)
            {
                tensor.Rebind(new MemoryTensorStorage(bytes));
            }
        }
    }

    public void Dispose() => _data?.Dispose();
}
