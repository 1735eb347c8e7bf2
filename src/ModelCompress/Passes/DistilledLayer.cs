namespace ModelCompress.Passes;

/// <summary>
/// One layer's distillation result, its serialized per-layer cache entry: the re-fitted free parameters (the float
/// weight [K, N], the integer values as floats, the codebook, or the low-rank factors A and B), the bias when the
/// layer has one, and the mean squared error against the teacher's output on the captured rows before and after.
/// </summary>
/// <param name="Parameters">The re-fitted parameters (for low rank, A).</param>
/// <param name="Second">The low-rank factor B; empty otherwise.</param>
/// <param name="Bias">The re-fitted bias (as added to the output), or null.</param>
/// <param name="Before">MSE per output value before the fit.</param>
/// <param name="After">MSE per output value after the fit.</param>
public sealed record DistilledLayer(float[] Parameters, float[] Second, float[]? Bias, double Before, double After)
{
    private const int Magic = 0x4C44434D; // "MCDL"

    /// <summary>Little-endian: magic, before, after, then each array as a length (−1 for none) and its values.</summary>
    public byte[] ToBytes()
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream))
        {
            writer.Write(Magic);
            writer.Write(Before);
            writer.Write(After);
            foreach (var array in new[] { Parameters, Second, Bias })
            {
                writer.Write(array?.Length ?? -1);
                foreach (var v in array ?? [])
                {
                    writer.Write(v);
                }
            }
        }

        return stream.ToArray();
    }

    /// <summary>The inverse of <see cref="ToBytes"/>.</summary>
    public static DistilledLayer FromBytes(byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes));
        if (reader.ReadInt32() != Magic)
        {
            throw new InvalidDataException("not a distilled layer");
        }

        var before = reader.ReadDouble();
        var after = reader.ReadDouble();
        var arrays = new float[]?[3];
        for (var a = 0; a < 3; a++)
        {
            var length = reader.ReadInt32();
            if (length < -1 || length > (bytes.Length / 4))
            {
                throw new InvalidDataException("distilled layer has a bad length");
            }

            arrays[a] = length < 0 ? null : Enumerable.Range(0, length).Select(_ => reader.ReadSingle()).ToArray();
        }

        return new DistilledLayer(arrays[0] ?? [], arrays[1] ?? [], arrays[2], before, after);
    }
}
