using System.Buffers.Binary;
using System.Text;

namespace SampleModelGenerator;

/// <summary>
/// Writes NumPy .npy files (format version 1.0: magic, little-endian header length, a Python-literal header padded
/// to a multiple of 64 bytes, then C-order data), written to a temp file and renamed into place.
/// </summary>
public static class Npy
{
    public static void Write(string path, float[] data, params int[] shape) =>
        Write(path, "<f4", shape, data.Length * 4, span =>
        {
            for (var i = 0; i < data.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(span[(i * 4)..], data[i]);
            }
        });

    public static void Write(string path, long[] data, params int[] shape) =>
        Write(path, "<i8", shape, data.Length * 8, span =>
        {
            for (var i = 0; i < data.Length; i++)
            {
                BinaryPrimitives.WriteInt64LittleEndian(span[(i * 8)..], data[i]);
            }
        });

    private delegate void Fill(Span<byte> destination);

    private static void Write(string path, string dtype, int[] shape, int byteCount, Fill fill)
    {
        var dims = shape.Length == 1 ? $"{shape[0]}," : string.Join(", ", shape);
        var header = $"{{'descr': '{dtype}', 'fortran_order': False, 'shape': ({dims}), }}";
        var unpadded = 10 + header.Length + 1;
        header = header.PadRight(header.Length + ((64 - (unpadded % 64)) % 64)) + "\n";
        var bytes = new byte[10 + header.Length + byteCount];
        ReadOnlySpan<byte> magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
        magic.CopyTo(bytes);
        bytes[6] = 1;
        bytes[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)header.Length);
        Encoding.ASCII.GetBytes(header, bytes.AsSpan(10));
        fill(bytes.AsSpan(10 + header.Length));
        var temp = path + ".tmp";
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, path, overwrite: true);
    }
}
