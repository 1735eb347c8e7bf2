using System.Buffers.Binary;

namespace ModelCompress.Calibration;

/// <summary>
/// Per-channel ranges of one input over the first and the second half of the calibration samples (in sample order),
/// and where the captured rows of the second half begin (see <see cref="TensorStatistics.Halves"/>).
/// </summary>
public sealed class SampleHalves
{
    /// <summary>Empty ranges (min +∞, max −∞) for <paramref name="channels"/> channels.</summary>
    public SampleHalves(int channels)
    {
        Min = [new float[channels], new float[channels]];
        Max = [new float[channels], new float[channels]];
        foreach (var m in Min)
        {
            Array.Fill(m, float.PositiveInfinity);
        }

        foreach (var m in Max)
        {
            Array.Fill(m, float.NegativeInfinity);
        }
    }

    private SampleHalves(float[][] min, float[][] max, int splitRow) => (Min, Max, SplitRow) = (min, max, splitRow);

    /// <summary>min X_j over the first [0] and the second [1] half of the samples.</summary>
    public float[][] Min { get; }

    /// <summary>max X_j over the first [0] and the second [1] half of the samples.</summary>
    public float[][] Max { get; }

    /// <summary>The index of the first captured row taken from the second half (−1 while none is).</summary>
    public int SplitRow { get; internal set; } = -1;

    /// <summary>Appends the encoding (split row, then the four arrays).</summary>
    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(buffer, SplitRow);
        stream.Write(buffer);
        foreach (var array in Min.Concat(Max))
        {
            foreach (var v in array)
            {
                BinaryPrimitives.WriteSingleLittleEndian(buffer, v);
                stream.Write(buffer);
            }
        }
    }

    /// <summary>Reads what <see cref="WriteTo"/> wrote for <paramref name="channels"/> channels, at <paramref name="at"/>.</summary>
    public static bool TryRead(ReadOnlySpan<byte> bytes, ref int at, int channels, out SampleHalves? halves)
    {
        halves = null;
        if (bytes.Length - at < 4 + (16L * channels))
        {
            return false;
        }

        var split = BinaryPrimitives.ReadInt32LittleEndian(bytes[at..]);
        at += 4;
        var arrays = new float[4][];
        for (var a = 0; a < 4; a++)
        {
            arrays[a] = new float[channels];
            for (var j = 0; j < channels; j++, at += 4)
            {
                arrays[a][j] = BinaryPrimitives.ReadSingleLittleEndian(bytes[at..]);
            }
        }

        halves = new SampleHalves([arrays[0], arrays[1]], [arrays[2], arrays[3]], split);
        return true;
    }
}
