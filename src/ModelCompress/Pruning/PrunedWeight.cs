using System.Buffers.Binary;

namespace ModelCompress.Pruning;

/// <summary>
/// One layer's pruning result, as cached: the pruned weights in the stored layout, what happened
/// (<see cref="PruneOutcome"/>) and, for PST, the masked layer's output error before and after the fit.
/// </summary>
/// <param name="Weights">The pruned weights, in the layer's stored layout; pruned entries are +0.</param>
/// <param name="Outcome">Fallbacks taken.</param>
/// <param name="ErrorBefore">PST: the relative output error of the |W| mask (0 otherwise).</param>
/// <param name="ErrorAfter">PST: the relative output error of the fitted mask (0 otherwise).</param>
public sealed record PrunedWeight(float[] Weights, PruneOutcome Outcome, double ErrorBefore = 0, double ErrorAfter = 0)
{
    private const byte FormatVersion = 1;

    /// <summary>The fraction of weights that are zero.</summary>
    public double Sparsity => Weights.Length == 0 ? 0 : (double)Weights.Count(w => w == 0f) / Weights.Length;

    /// <summary>Version, outcome, the two errors, the count, then the weights (little-endian).</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[2 + 16 + 4 + (4 * Weights.Length)];
        bytes[0] = FormatVersion;
        bytes[1] = (byte)Outcome;
        BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(2), ErrorBefore);
        BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(10), ErrorAfter);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(18), Weights.Length);
        for (var i = 0; i < Weights.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(22 + (4 * i)), Weights[i]);
        }

        return bytes;
    }

    /// <summary>The inverse of <see cref="ToBytes"/>.</summary>
    public static PrunedWeight FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 22 || bytes[0] != FormatVersion)
        {
            throw new InvalidDataException("not a pruned-weight result");
        }

        var count = BinaryPrimitives.ReadInt32LittleEndian(bytes[18..]);
        if (count < 0 || bytes.Length != 22 + (4L * count))
        {
            throw new InvalidDataException("pruned-weight result has the wrong length");
        }

        var weights = new float[count];
        for (var i = 0; i < count; i++)
        {
            weights[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(22 + (4 * i))..]);
        }

        return new PrunedWeight(weights, (PruneOutcome)bytes[1], BinaryPrimitives.ReadDoubleLittleEndian(bytes[2..]), BinaryPrimitives.ReadDoubleLittleEndian(bytes[10..]));
    }
}
