using System.Buffers.Binary;
using System.Text;

namespace ModelCompress.Quantization;

/// <summary>
/// One layer's int4 weights as a pass result: per output n (row of W [N, K]) and input k a 4-bit code, and per output
/// and block of <see cref="BlockSize"/> inputs one <see cref="Int4Grid"/>. <see cref="Fallback"/> says why the
/// layer was rounded to nearest instead of solved (empty when it was not), so the warning is given again when the
/// result comes from the cache.
/// </summary>
public sealed class Int4Weight
{
    private static readonly byte[] Magic = "I4W1"u8.ToArray();

    /// <summary>Creates a result; <paramref name="codes"/> is [N, K], <paramref name="grids"/> [N, ⌈K / block⌉].</summary>
    public Int4Weight(int inputs, int outputs, int blockSize, bool symmetric, int[] codes, Int4Grid[] grids, string fallback)
    {
        ArgumentNullException.ThrowIfNull(codes);
        ArgumentNullException.ThrowIfNull(grids);
        Inputs = inputs;
        Outputs = outputs;
        BlockSize = blockSize;
        Symmetric = symmetric;
        Codes = codes;
        Grids = grids;
        Fallback = fallback ?? string.Empty;
        if (codes.Length != (long)inputs * outputs || grids.Length != (long)outputs * Blocks)
        {
            throw new ArgumentException("codes or grids do not match [N, K]");
        }
    }

    /// <summary>K.</summary>
    public int Inputs { get; }

    /// <summary>N.</summary>
    public int Outputs { get; }

    /// <summary>Inputs per block.</summary>
    public int BlockSize { get; }

    /// <summary>Whether codes are int4 with zero point 0 (else uint4 with zero points).</summary>
    public bool Symmetric { get; }

    /// <summary>Blocks along K, ⌈K / <see cref="BlockSize"/>⌉.</summary>
    public int Blocks => (Inputs + BlockSize - 1) / BlockSize;

    /// <summary>Codes, row-major [N, K].</summary>
    public int[] Codes { get; }

    /// <summary>Grids, row-major [N, <see cref="Blocks"/>].</summary>
    public Int4Grid[] Grids { get; }

    /// <summary>Why the layer fell back to round-to-nearest; empty when it did not.</summary>
    public string Fallback { get; }

    /// <summary>The value of output <paramref name="n"/>, input <paramref name="k"/> as DequantizeLinear computes it.</summary>
    public float Value(int n, int k) => Grids[(n * Blocks) + (k / BlockSize)].Dequantize(Codes[(n * Inputs) + k]);

    /// <summary>The encoding: magic, K, N, block, symmetric, fallback text, codes (one byte each), scales, zero points.</summary>
    public byte[] ToBytes()
    {
        var fallback = Encoding.UTF8.GetBytes(Fallback);
        var bytes = new byte[4 + 13 + 4 + fallback.Length + Codes.Length + (5 * Grids.Length)];
        Magic.CopyTo(bytes, 0);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), Inputs);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), Outputs);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(12), BlockSize);
        bytes[16] = Symmetric ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(17), fallback.Length);
        fallback.CopyTo(bytes, 21);
        var at = 21 + fallback.Length;
        foreach (var c in Codes)
        {
            bytes[at++] = unchecked((byte)(sbyte)c);
        }

        foreach (var g in Grids)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(at), g.Scale);
            bytes[at + 4] = (byte)g.Zero;
            at += 5;
        }

        return bytes;
    }

    /// <summary>The inverse of <see cref="ToBytes"/>.</summary>
    public static Int4Weight FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 21 || !bytes[..4].SequenceEqual(Magic))
        {
            throw new InvalidDataException("not an int4 layer result");
        }

        var k = BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]);
        var n = BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]);
        var block = BinaryPrimitives.ReadInt32LittleEndian(bytes[12..]);
        var symmetric = bytes[16] != 0;
        var textLength = BinaryPrimitives.ReadInt32LittleEndian(bytes[17..]);
        var fallback = Encoding.UTF8.GetString(bytes.Slice(21, textLength));
        var at = 21 + textLength;
        var codes = new int[(long)k * n];
        for (var i = 0; i < codes.Length; i++)
        {
            codes[i] = symmetric ? unchecked((sbyte)bytes[at++]) : bytes[at++];
        }

        var blocks = (k + block - 1) / block;
        var grids = new Int4Grid[(long)n * blocks];
        for (var i = 0; i < grids.Length; i++, at += 5)
        {
            grids[i] = new Int4Grid(BinaryPrimitives.ReadSingleLittleEndian(bytes[at..]), bytes[at + 4], symmetric);
        }

        return at == bytes.Length ? new Int4Weight(k, n, block, symmetric, codes, grids, fallback) : throw new InvalidDataException("int4 layer result has trailing bytes");
    }
}
