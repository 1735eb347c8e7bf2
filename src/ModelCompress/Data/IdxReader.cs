using System.Buffers.Binary;
using System.IO.Compression;
using ModelCompress.Diagnostics;
using ModelCompress.Engine;

namespace ModelCompress.Data;

/// <summary>
/// Reads IDX files, the format of the MNIST data set (LeCun et al.): two zero bytes, a type code (0x08 ubyte,
/// 0x09 sbyte, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64), the rank, big-endian int32 dimensions, then
/// big-endian elements. Gzip-compressed files (<c>.gz</c>) are recognised by their magic bytes.
/// </summary>
public static class IdxReader
{
    /// <summary>Whether <paramref name="path"/> looks like an IDX file by name (<c>.idx</c>, <c>-ubyte</c>, <c>-idx3-ubyte.gz</c>, ...).</summary>
    public static bool LooksLikeIdx(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var name = Path.GetFileName(path).ToUpperInvariant();
        if (name.EndsWith(".GZ", StringComparison.Ordinal))
        {
            name = name[..^3];
        }

        return name.Contains("IDX", StringComparison.Ordinal) || name.EndsWith("-UBYTE", StringComparison.Ordinal);
    }

    /// <summary>Reads the file at <paramref name="path"/>; a missing or malformed file is a coded error (MC3002/MC3003).</summary>
    public static NdArray ReadFile(string path, long maxItems = long.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw EngineDiagnostics.Fail("MC3002", path, path);
        }

        using var file = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[2];
        var gz = file.Read(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        file.Position = 0;
        using Stream stream = gz ? new GZipStream(file, CompressionMode.Decompress) : file;
        try
        {
            return Read(stream, maxItems);
        }
        catch (InvalidDataException ex)
        {
            throw EngineDiagnostics.Fail("MC3003", path, path, ex.Message);
        }
    }

    /// <summary>
    /// Reads an IDX array from <paramref name="stream"/>, keeping at most <paramref name="maxItems"/> entries of the
    /// first axis; throws <see cref="InvalidDataException"/> when malformed.
    /// </summary>
    public static NdArray Read(Stream stream, long maxItems = long.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> head = stackalloc byte[4];
        Fill(stream, head);
        if (head[0] != 0 || head[1] != 0 || head[3] == 0)
        {
            throw new InvalidDataException("not an IDX file (bad magic number)");
        }

        var (type, size) = head[2] switch
        {
            0x08 => (NdElementType.UInt8, 1),
            0x09 => (NdElementType.Int8, 1),
            0x0B => (NdElementType.Int16, 2),
            0x0C => (NdElementType.Int32, 4),
            0x0D => (NdElementType.Float32, 4),
            0x0E => (NdElementType.Float64, 8),
            _ => throw new InvalidDataException($"unknown IDX element type 0x{head[2]:X2}"),
        };
        var shape = new long[head[3]];
        Span<byte> dim = stackalloc byte[4];
        for (var i = 0; i < shape.Length; i++)
        {
            Fill(stream, dim);
            shape[i] = BinaryPrimitives.ReadInt32BigEndian(dim);
            if (shape[i] < 0)
            {
                throw new InvalidDataException("negative IDX dimension");
            }
        }

        shape[0] = Math.Min(shape[0], maxItems);
        var count = BoundedArrayReader.Count(shape, size);
        var data = BoundedArrayReader.Read(stream, type, count, "IDX data");
        var bytes = NpyReader.AsBytes(data);
        if (size > 1 && BitConverter.IsLittleEndian)
        {
            for (var i = 0; i < bytes.Length; i += size)
            {
                bytes.Slice(i, size).Reverse();
            }
        }

        return new NdArray(type, shape, data);
    }

    private static void Fill(Stream stream, Span<byte> buffer)
    {
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException("the file ends early (truncated IDX data)");
        }
    }
}
