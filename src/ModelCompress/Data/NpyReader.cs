using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using ModelCompress.Diagnostics;
using ModelCompress.Engine;

namespace ModelCompress.Data;

/// <summary>
/// Reads NumPy <c>.npy</c> arrays (format versions 1.0, 2.0 and 3.0 as described in NumPy's
/// <c>numpy.lib.format</c> documentation): the magic <c>\x93NUMPY</c>, a version, a little-endian header length and a
/// Python-literal header dict with <c>descr</c>, <c>fortran_order</c> and <c>shape</c>, then the raw elements.
/// </summary>
public static class NpyReader
{
    private const int MaxHeaderLength = 1 << 20;
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads the file at <paramref name="path"/>; a missing or malformed file is a coded error (MC3002/MC3003).</summary>
    public static NdArray ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw EngineDiagnostics.Fail("MC3002", path, path);
        }

        using var stream = File.OpenRead(path);
        try
        {
            return Read(stream);
        }
        catch (InvalidDataException ex)
        {
            throw EngineDiagnostics.Fail("MC3003", path, path, ex.Message);
        }
    }

    /// <summary>Reads one array from <paramref name="stream"/>; throws <see cref="InvalidDataException"/> when malformed.</summary>
    public static NdArray Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> prefix = stackalloc byte[8];
        ReadExactly(stream, prefix);
        if (!prefix[..6].SequenceEqual(Magic))
        {
            throw new InvalidDataException("not a .npy array (magic \\x93NUMPY missing)");
        }

        var major = prefix[6];
        int headerLength;
        if (major == 1)
        {
            Span<byte> len = stackalloc byte[2];
            ReadExactly(stream, len);
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(len);
        }
        else if (major is 2 or 3)
        {
            Span<byte> len = stackalloc byte[4];
            ReadExactly(stream, len);
            // NumPy writes headers of a few hundred bytes; a length beyond 1 MiB is a forged field, not a header.
            var announced = BinaryPrimitives.ReadUInt32LittleEndian(len);
            headerLength = announced <= MaxHeaderLength
                ? (int)announced
                : throw new InvalidDataException($"the .npy header length {announced} is beyond the {MaxHeaderLength}-byte limit");
        }
        else
        {
            throw new InvalidDataException($"unsupported .npy format version {major}.{prefix[7]}");
        }

        var headerBytes = new byte[headerLength];
        ReadExactly(stream, headerBytes);
        var header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);
        var (descr, fortran, shape) = ParseHeader(header);
        if (fortran && shape.Length > 1)
        {
            throw new InvalidDataException("Fortran-ordered arrays are not supported; save the array in C order (np.ascontiguousarray)");
        }

        var (type, bigEndian) = ParseDescr(descr);
        var size = NdArray.ElementSize(type);
        var count = BoundedArrayReader.Count(shape, size);
        var data = BoundedArrayReader.Read(stream, type, count, ".npy data");
        var bytes = MemoryMarshalBytes(data, checked((int)(count * size)));
        if (bigEndian && size > 1)
        {
            for (var i = 0; i < bytes.Length; i += size)
            {
                bytes.Slice(i, size).Reverse();
            }
        }

        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("big-endian hosts are not supported");
        }

        return new NdArray(type, shape, data);
    }

    private static Span<byte> MemoryMarshalBytes(Array data, int byteCount)
    {
        var span = AsBytes(data);
        return span.Length == byteCount ? span : throw new InvalidOperationException("size mismatch");
    }

    /// <summary>The bytes of a typed primitive array (shared with <see cref="NpyWriter"/>).</summary>
    internal static Span<byte> AsBytes(Array data) => data switch
    {
        float[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        double[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        Half[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        byte[] a => a.AsSpan(),
        sbyte[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        short[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        ushort[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        int[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        uint[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        long[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        ulong[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        bool[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        _ => throw new InvalidOperationException("unknown array type"),
    };

    private static (string Descr, bool Fortran, long[] Shape) ParseHeader(string header)
    {
        // The header is a Python dict literal, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
        var descr = ValueAfter(header, "descr");
        var q = descr.Length > 0 ? descr[0] : ' ';
        if (q is not ('\'' or '"') || descr.IndexOf(q, 1) < 0)
        {
            throw new InvalidDataException("header 'descr' is not a simple type string (structured dtypes are not supported)");
        }

        var descrValue = descr[1..descr.IndexOf(q, 1)];
        var fortran = ValueAfter(header, "fortran_order").StartsWith("True", StringComparison.Ordinal);
        var shapeText = ValueAfter(header, "shape");
        if (!shapeText.StartsWith('(') || shapeText.IndexOf(')', StringComparison.Ordinal) < 0)
        {
            throw new InvalidDataException("header 'shape' is not a tuple");
        }

        var inner = shapeText[1..shapeText.IndexOf(')', StringComparison.Ordinal)];
        var dims = new List<long>();
        foreach (var part in inner.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!long.TryParse(part.TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out var d))
            {
                throw new InvalidDataException($"header shape dimension '{part}' is not a number");
            }

            dims.Add(d);
        }

        return (descrValue, fortran, [.. dims]);
    }

    private static string ValueAfter(string header, string key)
    {
        foreach (var quote in new[] { '\'', '"' })
        {
            var k = quote + key + quote;
            var at = header.IndexOf(k, StringComparison.Ordinal);
            if (at >= 0)
            {
                var colon = header.IndexOf(':', at + k.Length);
                if (colon >= 0)
                {
                    return header[(colon + 1)..].TrimStart();
                }
            }
        }

        throw new InvalidDataException($"header has no '{key}' entry");
    }

    private static (NdElementType Type, bool BigEndian) ParseDescr(string descr)
    {
        if (descr.Length < 2)
        {
            throw new InvalidDataException($"unsupported dtype '{descr}'");
        }

        var order = descr[0];
        var code = order is '<' or '>' or '|' or '=' ? descr[1..] : descr;
        var bigEndian = order == '>';
        NdElementType type = code switch
        {
            "f2" => NdElementType.Float16,
            "f4" => NdElementType.Float32,
            "f8" => NdElementType.Float64,
            "i1" => NdElementType.Int8,
            "u1" => NdElementType.UInt8,
            "i2" => NdElementType.Int16,
            "u2" => NdElementType.UInt16,
            "i4" => NdElementType.Int32,
            "u4" => NdElementType.UInt32,
            "i8" => NdElementType.Int64,
            "u8" => NdElementType.UInt64,
            "b1" => NdElementType.Bool,
            _ => throw new InvalidDataException($"unsupported dtype '{descr}' (use a float, int, uint or bool dtype)"),
        };
        return (type, bigEndian);
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer)
    {
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException("the file ends early (truncated array data)");
        }
    }
}
