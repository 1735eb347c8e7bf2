using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using ModelCompress.Cache;
using ModelCompress.Onnx;

namespace ModelCompress.Passes;

/// <summary>
/// An append-only scratch file for the bytes a streaming pass must keep until the model is written (each layer's
/// result, the quantized tensors put in the graph): written once as each layer is done, read back one region at a
/// time, so a large model's results do not all sit in memory at once. The file is unlinked as soon as it is opened
/// where the system allows it (elsewhere deleted when closed), so a killed run leaves nothing behind; it is closed
/// when disposed or when nothing refers to it any more.
/// </summary>
public sealed class SpillFile : IDisposable
{
    private readonly SafeFileHandle _handle;
    private readonly Lock _gate = new();
    private long _length;

    private SpillFile(SafeFileHandle handle) => _handle = handle;

    /// <summary>Bytes written so far.</summary>
    public long Length => _length;

    /// <summary>Opens a new spill file in <paramref name="folder"/> (the system's temporary folder when null).</summary>
    public static SpillFile Create(string? folder = null)
    {
        var path = Path.Combine(folder ?? Path.GetTempPath(), $".modelcompress-spill-{Guid.NewGuid():N}.tmp");
        var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.DeleteOnClose);
        if (!OperatingSystem.IsWindows())
        {
            // Unlinked now, the file lives only as long as the handle: not even SIGKILL can leave it on disk.
            File.Delete(path);
        }

        return new SpillFile(handle);
    }

    /// <summary>Appends <paramref name="bytes"/> and returns where they lie.</summary>
    public SpillRegion Append(ReadOnlySpan<byte> bytes)
    {
        lock (_gate)
        {
            var region = new SpillRegion(_length, bytes.Length);
            RandomAccess.Write(_handle, bytes, _length);
            _length += bytes.Length;
            return region;
        }
    }

    /// <summary>The bytes of <paramref name="region"/>, read back into a new array.</summary>
    public byte[] Read(SpillRegion region)
    {
        var bytes = GC.AllocateUninitializedArray<byte>(region.Length);
        ReadInto(region.Offset, bytes);
        return bytes;
    }

    /// <summary>Writes the bytes of <paramref name="region"/> to <paramref name="destination"/> a buffer at a time.</summary>
    public void CopyTo(SpillRegion region, Stream destination) => FileRegion.CopyTo(_handle, region.Offset, region.Length, destination);

    /// <summary>
    /// A tensor whose raw bytes are <paramref name="values"/>, kept here instead of in memory: the tensor reads them
    /// back whenever it is saved or read (the same bytes every time), holding them only while someone uses them.
    /// </summary>
    public OnnxTensor Tensor<T>(string name, TensorDataType dataType, ReadOnlySpan<long> dims, ReadOnlySpan<T> values)
        where T : unmanaged
    {
        var region = Append(MemoryMarshal.AsBytes(values));
        return Tensor(name, dataType, dims, region);
    }

    /// <summary>
    /// A tensor whose raw bytes are those of <paramref name="region"/>, already in this file (a part of a spilled layer
    /// result that is the tensor's content as it stands): nothing is written again, the tensor reads the region back
    /// whenever it is saved or read.
    /// </summary>
    public OnnxTensor Tensor(string name, TensorDataType dataType, ReadOnlySpan<long> dims, SpillRegion region)
    {
        if (region.Offset < 0 || region.Length < 0 || region.Offset + region.Length > _length)
        {
            throw new ArgumentOutOfRangeException(nameof(region), "The region lies outside what was written to the spill file.");
        }

        return OnnxTensor.FromGenerator(name, dataType, dims, s => CopyTo(region, s));
    }

    /// <summary>An int8 weight tensor kept here (<see cref="Tensor{T}"/>), for a pass whose results do not end with its int8 values.</summary>
    public OnnxTensor Int8Tensor(string name, long[] dims, sbyte[] values) => Tensor<sbyte>(name, TensorDataType.Int8, dims, values);

    /// <summary>
    /// <paramref name="tensor"/> (made in memory) as a tensor kept here: the same name, type, dims and raw bytes, so
    /// the in-memory copy can go once the caller drops it.
    /// </summary>
    public OnnxTensor Keep(OnnxTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return Tensor(tensor.Name, tensor.DataType, tensor.Dims, Append(tensor.GetRawData().Span));
    }

    /// <inheritdoc />
    public void Dispose() => _handle.Dispose();

    private void ReadInto(long offset, Span<byte> destination) => FileRegion.ReadExactly(_handle, offset, destination);
}
