using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace ModelCompress.Passes;

/// <summary>
/// A weight whose values are shared: a codebook of at most 256 floats and one index per weight (w[i] =
/// codebook[indices[i]]). Also the serialized per-layer result of <see cref="ClusterSharePass"/> and of a distilled
/// clustered layer (<see cref="ToBytes"/>/<see cref="FromBytes"/>).
/// </summary>
/// <param name="Codebook">The shared values.</param>
/// <param name="Indices">Each weight's codebook index, row-major.</param>
public sealed record ClusteredWeight(float[] Codebook, byte[] Indices)
{
    private static readonly byte[] Magic = "MCKM"u8.ToArray();

    /// <summary>Whether every index fits in 4 bits (two indices per stored byte).</summary>
    public bool FitsFourBits => Codebook.Length <= 16;

    /// <summary>The weight values the codebook gives back.</summary>
    public float[] Expand() => Quantization.WeightClustering.Expand(Codebook, Indices);

    /// <summary>Indices two to a byte, low nibble first (an odd count leaves the last high nibble 0).</summary>
    public byte[] PackedIndices()
    {
        var packed = new byte[(Indices.Length + 1) / 2];
        for (var i = 0; i < Indices.Length; i++)
        {
            packed[i / 2] |= (byte)((Indices[i] & 0xF) << (4 * (i & 1)));
        }

        return packed;
    }

    /// <summary>The inverse of <see cref="PackedIndices"/> for <paramref name="count"/> indices.</summary>
    public static byte[] UnpackIndices(ReadOnlySpan<byte> packed, int count)
    {
        var indices = new byte[count];
        for (var i = 0; i < count; i++)
        {
            indices[i] = (byte)((packed[i / 2] >> (4 * (i & 1))) & 0xF);
        }

        return indices;
    }

    /// <summary>"MCKM", codebook length, index count, the codebook (float32 LE), the indices.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[4 + 4 + 4 + (Codebook.Length * 4) + Indices.Length];
        Magic.CopyTo(bytes, 0);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), Codebook.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), Indices.Length);
        MemoryMarshal.AsBytes(Codebook.AsSpan()).CopyTo(bytes.AsSpan(12));
        Indices.CopyTo(bytes, 12 + (Codebook.Length * 4));
        return bytes;
    }

    /// <summary>The inverse of <see cref="ToBytes"/>.</summary>
    public static ClusteredWeight FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 12 || !bytes[..4].SequenceEqual(Magic))
        {
            throw new InvalidDataException("not a clustered weight");
        }

        var k = BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]);
        var n = BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]);
        if (k is < 1 or > 256 || n < 0 || bytes.Length != 12 + (4L * k) + n)
        {
            throw new InvalidDataException("clustered weight has a bad length");
        }

        var codebook = MemoryMarshal.Cast<byte, float>(bytes.Slice(12, 4 * k)).ToArray();
        return new ClusteredWeight(codebook, bytes.Slice(12 + (4 * k), n).ToArray());
    }
}
