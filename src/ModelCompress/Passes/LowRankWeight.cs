using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace ModelCompress.Passes;

/// <summary>
/// A [K, N] weight factored as A [K, r] · B [r, N] (row-major), or left whole (<see cref="Rank"/> 0) where no rank
/// that keeps the asked energy saves parameters. The serialized per-layer result of <see cref="LowRankSharePass"/>.
/// </summary>
/// <param name="K">Input features.</param>
/// <param name="N">Output features.</param>
/// <param name="Rank">The kept rank; 0 when the layer is left as it is.</param>
/// <param name="Energy">The fraction of Σσ² the kept singular values hold.</param>
/// <param name="A">The [K, r] factor.</param>
/// <param name="B">The [r, N] factor.</param>
public sealed record LowRankWeight(int K, int N, int Rank, double Energy, float[] A, float[] B)
{
    private static readonly byte[] Magic = "MCLR"u8.ToArray();

    /// <summary>"MCLR", K, N, r, energy, A, B (little-endian).</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[24 + ((A.Length + B.Length) * 4)];
        Magic.CopyTo(bytes, 0);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), K);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), N);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(12), Rank);
        BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(16), Energy);
        MemoryMarshal.AsBytes(A.AsSpan()).CopyTo(bytes.AsSpan(24));
        MemoryMarshal.AsBytes(B.AsSpan()).CopyTo(bytes.AsSpan(24 + (A.Length * 4)));
        return bytes;
    }

    /// <summary>The inverse of <see cref="ToBytes"/>.</summary>
    public static LowRankWeight FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 24 || !bytes[..4].SequenceEqual(Magic))
        {
            throw new InvalidDataException("not a low-rank weight");
        }

        var k = BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]);
        var n = BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]);
        var r = BinaryPrimitives.ReadInt32LittleEndian(bytes[12..]);
        var energy = BinaryPrimitives.ReadDoubleLittleEndian(bytes[16..]);
        if (k < 1 || n < 1 || r < 0 || bytes.Length != 24 + (4L * r * (k + n)))
        {
            throw new InvalidDataException("low-rank weight has a bad length");
        }

        var a = MemoryMarshal.Cast<byte, float>(bytes.Slice(24, 4 * k * r)).ToArray();
        var b = MemoryMarshal.Cast<byte, float>(bytes.Slice(24 + (4 * k * r), 4 * r * n)).ToArray();
        return new LowRankWeight(k, n, r, energy, a, b);
    }
}
