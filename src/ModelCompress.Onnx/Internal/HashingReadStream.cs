using System.Security.Cryptography;

namespace ModelCompress.Onnx.Internal;

/// <summary>
/// A read-only stream that passes another's bytes through and feeds them to an <see cref="IncrementalHash"/>, so a
/// file is hashed in the same pass that parses it rather than read a second time.
/// </summary>
internal sealed class HashingReadStream(Stream inner, IncrementalHash hash) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        hash.AppendData(buffer[..read]);
        return read;
    }

    /// <summary>Reads (and hashes) whatever the parser left unread, so the hash covers the whole stream.</summary>
    public void Drain()
    {
        var buffer = new byte[1 << 16];
        while (Read(buffer) > 0)
        {
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
