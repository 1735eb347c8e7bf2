using Google.Protobuf;

namespace ModelCompress.Onnx.Internal;

/// <summary>
/// Where a tensor's raw (little-endian, packed) bytes come from. Tensors are immutable; the storage decides whether
/// bytes are already in memory, read on demand from an external file, or produced by a generator at save time.
/// </summary>
internal abstract class TensorStorage
{
    /// <summary>Length of the raw payload in bytes.</summary>
    public abstract long ByteLength { get; }

    /// <summary>Whether the bytes are already held in memory (no I/O needed to read them).</summary>
    public abstract bool IsInMemory { get; }

    /// <summary>The bytes. External and generated storage read (or produce) them on the first call.</summary>
    public abstract ReadOnlyMemory<byte> GetBytes();

    /// <summary>Writes the bytes to <paramref name="destination"/> without holding more than a buffer of them.</summary>
    public virtual void CopyTo(Stream destination) => destination.Write(GetBytes().Span);

    /// <summary>A read-only stream over the bytes.</summary>
    public virtual Stream OpenRead() => new ReadOnlyMemoryStream(GetBytes());
}

/// <summary>Bytes held in memory (a protobuf ByteString shares its buffer without copying).</summary>
internal sealed class MemoryTensorStorage(ReadOnlyMemory<byte> bytes) : TensorStorage
{
    public MemoryTensorStorage(ByteString bytes)
        : this(bytes.Memory)
    {
    }

    public override long ByteLength => bytes.Length;

    public override bool IsInMemory => true;

    public override ReadOnlyMemory<byte> GetBytes() => bytes;
}

/// <summary>
/// Bytes that live elsewhere (an external data file or a generator). They are produced on access and cached only
/// weakly: a caller holding a span keeps them alive; once nobody does, the GC may drop them and a later access reads
/// them again. That keeps a model whose weights exceed memory usable one tensor at a time.
/// </summary>
internal abstract class DeferredTensorStorage : TensorStorage
{
    private readonly Lock _gate = new();
    private WeakReference<byte[]>? _cache;

    public override bool IsInMemory => false;

    public override ReadOnlyMemory<byte> GetBytes()
    {
        lock (_gate)
        {
            if (_cache is not null && _cache.TryGetTarget(out var cached))
            {
                return cached;
            }

            if (ByteLength > Array.MaxLength)
            {
                throw new InvalidOperationException(
                    $"A single tensor of {ByteLength} bytes cannot be held in one array; read it with OpenRawDataStream().");
            }

            var bytes = GC.AllocateUninitializedArray<byte>((int)ByteLength);
            using (var s = new MemoryStream(bytes, writable: true))
            {
                CopyTo(s);
                if (s.Position != bytes.Length)
                {
                    throw new InvalidDataException($"Expected {bytes.Length} bytes of tensor data, got {s.Position}.");
                }
            }

            _cache = new WeakReference<byte[]>(bytes);
            return bytes;
        }
    }
}

/// <summary>Bytes written by a caller-supplied generator when the tensor is saved or read.</summary>
internal sealed class GeneratedTensorStorage(long byteLength, Action<Stream> write) : DeferredTensorStorage
{
    public override long ByteLength => byteLength;

    public override void CopyTo(Stream destination)
    {
        var counting = new CountingWriteStream(destination);
        write(counting);
        if (counting.Written != byteLength)
        {
            throw new InvalidOperationException(
                $"The tensor data generator wrote {counting.Written} bytes; the tensor needs {byteLength}.");
        }
    }
}
