using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace ModelCompress.Data;

/// <summary>
/// Writes NumPy <c>.npy</c> arrays (format 1.0, little-endian, C order). The header is padded with spaces so the
/// data starts at a multiple of 64 bytes, as NumPy itself does; the output depends only on the array.
/// </summary>
public static class NpyWriter
{
    /// <summary>Writes <paramref name="array"/> to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, NdArray array)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(array);
        var shape = array.Shape.Count switch
        {
            0 => "()",
            1 => "(" + array.Shape[0].ToString(CultureInfo.InvariantCulture) + ",)",
            _ => "(" + string.Join(", ", array.Shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")",
        };
        var dict = $"{{'descr': '{Descr(array.ElementType)}', 'fortran_order': False, 'shape': {shape}, }}";
        const int Preamble = 10; // magic (6) + version (2) + header length (2)
        var total = Preamble + dict.Length + 1;
        var padded = (total + 63) / 64 * 64;
        var header = dict + new string(' ', padded - total) + "\n";
        if (header.Length > ushort.MaxValue)
        {
            throw new ArgumentException("the array has too many dimensions for a version 1.0 header", nameof(array));
        }

        Span<byte> preamble = stackalloc byte[Preamble];
        preamble[0] = 0x93;
        "NUMPY"u8.CopyTo(preamble[1..]);
        preamble[6] = 1;
        preamble[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(preamble[8..], (ushort)header.Length);
        stream.Write(preamble);
        stream.Write(Encoding.Latin1.GetBytes(header));
        stream.Write(NpyReader.AsBytes(array.Data));
    }

    /// <summary>Writes <paramref name="array"/> to a new file at <paramref name="path"/>.</summary>
    public static void WriteFile(string path, NdArray array)
    {
        using var stream = File.Create(path);
        Write(stream, array);
    }

    private static string Descr(NdElementType type) => type switch
    {
        NdElementType.Float16 => "<f2",
        NdElementType.Float32 => "<f4",
        NdElementType.Float64 => "<f8",
        NdElementType.Int8 => "|i1",
        NdElementType.UInt8 => "|u1",
        NdElementType.Int16 => "<i2",
        NdElementType.UInt16 => "<u2",
        NdElementType.Int32 => "<i4",
        NdElementType.UInt32 => "<u4",
        NdElementType.Int64 => "<i8",
        NdElementType.UInt64 => "<u8",
        NdElementType.Bool => "|b1",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };
}
