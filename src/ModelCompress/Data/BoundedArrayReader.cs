namespace ModelCompress.Data;

/// <summary>
/// Reads the element bytes a file header announces without trusting the header: a shape whose element count overflows
/// or exceeds what one array can hold is refused, and memory is only committed for bytes that really follow (a seekable
/// stream is checked against its length first; another stream is read in chunks), so a forged header of a few bytes
/// cannot ask for gigabytes. Every refusal is an <see cref="InvalidDataException"/>, which the readers turn into MC3003.
/// </summary>
internal static class BoundedArrayReader
{
    private const int Chunk = 1 << 24;

    /// <summary>The element count of <paramref name="shape"/>, or an <see cref="InvalidDataException"/> when too large.</summary>
    public static long Count(IReadOnlyList<long> shape, int elementSize)
    {
        long count;
        try
        {
            count = NdArray.ElementCount(shape);
        }
        catch (OverflowException)
        {
            throw new InvalidDataException($"the shape {NdArray.FormatShape(shape)} has more elements than a 64-bit count can hold");
        }

        if (count > Array.MaxLength / elementSize)
        {
            throw new InvalidDataException($"the shape {NdArray.FormatShape(shape)} needs more than the {Array.MaxLength} bytes one array can hold");
        }

        return count;
    }

    /// <summary>Reads <paramref name="count"/> elements of <paramref name="type"/> from <paramref name="stream"/>.</summary>
    public static Array Read(Stream stream, NdElementType type, long count, string what)
    {
        var size = NdArray.ElementSize(type);
        var byteCount = count * size;
        if (stream.CanSeek && byteCount > stream.Length - stream.Position)
        {
            throw new InvalidDataException($"the file ends early: the header asks for {byteCount} bytes of {what} but only {stream.Length - stream.Position} follow");
        }

        if (stream.CanSeek || byteCount <= Chunk)
        {
            var data = Array.CreateInstance(NdArray.ClrType(type), count);
            ReadAll(stream, NpyReader.AsBytes(data), what);
            return data;
        }

        // Unknown length (a compressed entry): collect what really arrives, then allocate the array once it is all there.
        var chunks = new List<byte[]>();
        for (var left = byteCount; left > 0; left -= Chunk)
        {
            var chunk = new byte[Math.Min(left, Chunk)];
            ReadAll(stream, chunk, what);
            chunks.Add(chunk);
        }

        var result = Array.CreateInstance(NdArray.ClrType(type), count);
        var bytes = NpyReader.AsBytes(result);
        var at = 0;
        foreach (var chunk in chunks)
        {
            chunk.CopyTo(bytes[at..]);
            at += chunk.Length;
        }

        return result;
    }

    private static void ReadAll(Stream stream, Span<byte> buffer, string what)
    {
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException($"the file ends early (truncated {what})");
        }
    }
}
