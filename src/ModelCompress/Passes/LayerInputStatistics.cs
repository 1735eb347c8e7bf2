using System.Buffers.Binary;

namespace ModelCompress.Passes;

/// <summary>
/// Statistics of one layer's input activation over the calibration data, per input channel (the activation's last
/// axis, which a MatMul contracts with the weight's rows): running min, max and max |x|. Streamed, never all samples.
/// Part of the layer's <see cref="LayerWorkKey"/> through <see cref="ToBytes"/>.
/// </summary>
public sealed class LayerInputStatistics
{
    /// <summary>Creates statistics from per-channel arrays of equal length.</summary>
    public LayerInputStatistics(float[] min, float[] max, float[] absMax, long samples)
    {
        ArgumentNullException.ThrowIfNull(min);
        ArgumentNullException.ThrowIfNull(max);
        ArgumentNullException.ThrowIfNull(absMax);
        if (min.Length != max.Length || max.Length != absMax.Length)
        {
            throw new ArgumentException("per-channel arrays differ in length");
        }

        Min = min;
        Max = max;
        AbsMax = absMax;
        Samples = samples;
    }

    /// <summary>Smallest value seen per channel.</summary>
    public float[] Min { get; }

    /// <summary>Largest value seen per channel.</summary>
    public float[] Max { get; }

    /// <summary>Largest |value| seen per channel (SmoothQuant's max|X_j|).</summary>
    public float[] AbsMax { get; }

    /// <summary>How many calibration samples contributed.</summary>
    public long Samples { get; }

    /// <summary>The canonical little-endian encoding: sample count, channel count, then min, max and absmax arrays.</summary>
    public byte[] ToBytes()
    {
        var n = AbsMax.Length;
        var bytes = new byte[12 + (12 * n)];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, Samples);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), n);
        var at = 12;
        foreach (var array in new[] { Min, Max, AbsMax })
        {
            foreach (var v in array)
            {
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(at), v);
                at += 4;
            }
        }

        return bytes;
    }
}
