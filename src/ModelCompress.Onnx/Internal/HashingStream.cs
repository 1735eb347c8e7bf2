using System.Security.Cryptography;

namespace ModelCompress.Onnx.Internal;

/// <summary>
/// A write-only stream that feeds an <see cref="IncrementalHash"/>, so large content (external tensor data, a
/// serialized model) is hashed as it is copied, never held whole; with <paramref name="inner"/>, every byte also goes
/// on to it (a cache entry checksummed as it is written to its file).
/// </summary>
internal sealed class HashingStream(IncrementalHash hash, Stream? inner = null) : Stream
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

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        hash.AppendData(buffer);
        inner?.Write(buffer);
    }

    public override void Flush() => inner?.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
