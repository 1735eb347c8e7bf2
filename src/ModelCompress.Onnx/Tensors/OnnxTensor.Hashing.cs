using System.Security.Cryptography;

namespace ModelCompress.Onnx;

/// <summary>Content hashing of tensor data.</summary>
public sealed partial class OnnxTensor
{
    /// <summary>
    /// SHA-256 of the element type, dims and raw bytes, as lowercase hex. External and generated data are streamed
    /// through the hash, never held whole, so this works for tensors larger than memory. Caches key layers by it.
    /// </summary>
    public string ComputeDataHash()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var header = $"{(int)DataType}:{string.Join(",", _dims)}:";
        hash.AppendData(System.Text.Encoding.ASCII.GetBytes(header));
        if (DataType == TensorDataType.String || _storage is null)
        {
            foreach (var s in _proto.StringData)
            {
                hash.AppendData(BitConverter.GetBytes(s.Length));
                hash.AppendData(s.Span);
            }
        }
        else
        {
            using var sink = new HashingStream(hash);
            _storage.CopyTo(sink);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private sealed class HashingStream(IncrementalHash hash) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => hash.AppendData(buffer, offset, count);

        public override void Write(ReadOnlySpan<byte> buffer) => hash.AppendData(buffer);

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
