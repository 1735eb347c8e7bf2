using System.Buffers.Binary;
using ModelCompress.Calibration;

namespace ModelCompress.Calibration;

/// <summary>
/// Statistics of one layer's input activation over the calibration data, per input channel (the activation's last
/// axis, which a MatMul contracts with the weight's rows): running min, max and max |x|; optionally a histogram of the
/// whole tensor and a bounded set of captured input rows (<see cref="LayerStatisticsRequest"/>). Streamed, never all
/// samples. Part of the layer's <see cref="Cache.LayerWorkKey"/> through <see cref="ToBytes"/>, so a pass that reads the
/// captured rows (SmoothQuant's α search) is keyed by exactly them.
/// </summary>
public sealed class LayerInputStatistics
{
    /// <summary>Creates statistics from per-channel arrays of equal length.</summary>
    public LayerInputStatistics(
        float[] min, float[] max, float[] absMax, long samples, ActivationHistogram? histogram = null, float[]? rows = null, double[]? sumSquares = null)
    {
        ArgumentNullException.ThrowIfNull(min);
        ArgumentNullException.ThrowIfNull(max);
        ArgumentNullException.ThrowIfNull(absMax);
        if (min.Length != max.Length || max.Length != absMax.Length)
        {
            throw new ArgumentException("per-channel arrays differ in length");
        }

        if (rows is not null && (absMax.Length == 0 ? rows.Length != 0 : rows.Length % absMax.Length != 0))
        {
            throw new ArgumentException("captured rows are not whole channel vectors", nameof(rows));
        }

        if (sumSquares is not null && sumSquares.Length != absMax.Length)
        {
            throw new ArgumentException("one sum of squares per channel", nameof(sumSquares));
        }

        SumSquares = sumSquares;
        Min = min;
        Max = max;
        AbsMax = absMax;
        Samples = samples;
        Histogram = histogram;
        Rows = rows;
    }

    /// <summary>Smallest value seen per channel.</summary>
    public float[] Min { get; }

    /// <summary>Largest value seen per channel.</summary>
    public float[] Max { get; }

    /// <summary>Largest |value| seen per channel (SmoothQuant's max|X_j|).</summary>
    public float[] AbsMax { get; }

    /// <summary>How many calibration samples contributed.</summary>
    public long Samples { get; }

    /// <summary>The histogram of the whole tensor, when it was asked for.</summary>
    public ActivationHistogram? Histogram { get; }

    /// <summary>Captured input rows, row-major [<see cref="RowCount"/>, channels], when they were asked for.</summary>
    public float[]? Rows { get; }

    /// <summary>Per-channel Σx² over every calibration row, when asked for (Wanda's ‖X_j‖₂²).</summary>
    public double[]? SumSquares { get; }

    /// <summary>H = XᵀX of the input over every calibration row, when it was asked for (GPTQ, SparseGPT).</summary>
    public InputHessian? Hessian { get; init; }

    /// <summary>Ranges per half of the samples, kept with captured rows (<see cref="TensorStatistics.Halves"/>); null otherwise.</summary>
    public SampleHalves? Halves { get; init; }
    /// <summary>
    /// For a grouped Conv's patch view (<see cref="ConvPatches"/>), H = XᵀX of each group's patch columns, when the
    /// Hessian was asked for; <see cref="Hessian"/> is then null.
    /// </summary>
    public IReadOnlyList<InputHessian>? GroupHessians { get; init; }

    /// <summary>How many rows were captured.</summary>
    public int RowCount => Rows is null || AbsMax.Length == 0 ? 0 : Rows.Length / AbsMax.Length;

    /// <summary>
    /// The canonical little-endian encoding: sample count, channel count, then min, max and absmax arrays; then, only
    /// when present, a tagged histogram section ('H'), a tagged rows section ('R'), a tagged per-channel sum of squares
    /// section ('S': the channel count, then float64 values), a tagged Hessian section ('X') and a tagged section of group
    /// Hessians ('G': their count, then each as 'X' holds one). Statistics without a section encode as before it existed.
    /// </summary>
    public byte[] ToBytes()
    {
        var n = AbsMax.Length;
        using var stream = new MemoryStream();
        Span<byte> buffer = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(buffer, Samples);
        stream.Write(buffer);
        BinaryPrimitives.WriteInt32LittleEndian(buffer, n);
        stream.Write(buffer[..4]);
        foreach (var array in new[] { Min, Max, AbsMax })
        {
            WriteFloats(stream, array);
        }

        if (Histogram is { } h)
        {
            stream.WriteByte((byte)'H');
            h.WriteTo(stream);
        }

        if (Rows is { } rows)
        {
            stream.WriteByte((byte)'R');
            BinaryPrimitives.WriteInt32LittleEndian(buffer, rows.Length);
            stream.Write(buffer[..4]);
            WriteFloats(stream, rows);
        }

        if (SumSquares is { } sums)
        {
            stream.WriteByte((byte)'S');
            BinaryPrimitives.WriteInt32LittleEndian(buffer, sums.Length);
            stream.Write(buffer[..4]);
            foreach (var v in sums)
            {
                BinaryPrimitives.WriteDoubleLittleEndian(buffer, v);
                stream.Write(buffer);
            }
        }

        if (Hessian is { } hessian)
        {
            stream.WriteByte((byte)'X');
            hessian.WriteTo(stream);
        }

        if (Halves is { } halves)
        {
            stream.WriteByte((byte)'P');
            halves.WriteTo(stream);
        }

        if (GroupHessians is { } groups)
        {
            stream.WriteByte((byte)'G');
            BinaryPrimitives.WriteInt32LittleEndian(buffer, groups.Count);
            stream.Write(buffer[..4]);
            foreach (var g in groups)
            {
                g.WriteTo(stream);
            }
        }

        return stream.ToArray();
    }

    /// <summary>The inverse of <see cref="ToBytes"/>; false when <paramref name="bytes"/> is not in that encoding.</summary>
    public static bool TryFromBytes(ReadOnlySpan<byte> bytes, out LayerInputStatistics statistics)
    {
        statistics = null!;
        if (bytes.Length < 12)
        {
            return false;
        }

        var samples = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        var n = BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]);
        if (n < 0 || bytes.Length < 12 + (12L * n))
        {
            return false;
        }

        var arrays = new float[3][];
        var at = 12;
        for (var a = 0; a < 3; a++)
        {
            arrays[a] = ReadFloats(bytes, ref at, n);
        }

        ActivationHistogram? histogram = null;
        float[]? rows = null;
        if (at < bytes.Length && bytes[at] == 'H')
        {
            at++;
            if (!ActivationHistogram.TryRead(bytes, ref at, out histogram))
            {
                return false;
            }
        }

        if (at < bytes.Length && bytes[at] == 'R')
        {
            at++;
            if (bytes.Length - at < 4)
            {
                return false;
            }

            var count = BinaryPrimitives.ReadInt32LittleEndian(bytes[at..]);
            at += 4;
            if (count < 0 || bytes.Length - at < 4L * count || (n == 0 ? count != 0 : count % n != 0))
            {
                return false;
            }

            rows = ReadFloats(bytes, ref at, count);
        }

        double[]? sums = null;
        if (at < bytes.Length && bytes[at] == 'S' && !TryReadSums(bytes, ref at, n, out sums))
        {
            return false;
        }

        InputHessian? hessian = null;
        if (at < bytes.Length && bytes[at] == 'X')
        {
            at++;
            if (!InputHessian.TryRead(bytes, ref at, out hessian))
            {
                return false;
            }
        }

        SampleHalves? halves = null;
        if (at < bytes.Length && bytes[at] == 'P')
        {
            at++;
            if (!SampleHalves.TryRead(bytes, ref at, n, out halves))
            {
                return false;
            }
        }

        List<InputHessian>? groups = null;
        if (at < bytes.Length && bytes[at] == 'G' && !TryReadGroups(bytes, ref at, out groups))
        {
            return false;
        }

        if (at != bytes.Length)
        {
            return false;
        }

        statistics = new LayerInputStatistics(arrays[0], arrays[1], arrays[2], samples, histogram, rows, sums) { Hessian = hessian, Halves = halves, GroupHessians = groups };
        return true;
    }

    /// <summary>The per-tensor minimum over all channels (0 without channels).</summary>
    public float TensorMin => Min.Length == 0 ? 0 : Min.Min();

    /// <summary>The per-tensor maximum over all channels (0 without channels).</summary>
    public float TensorMax => Max.Length == 0 ? 0 : Max.Max();

    private static bool TryReadGroups(ReadOnlySpan<byte> bytes, ref int at, out List<InputHessian>? groups)
    {
        groups = null;
        at++;
        if (bytes.Length - at < 4)
        {
            return false;
        }

        var count = BinaryPrimitives.ReadInt32LittleEndian(bytes[at..]);
        at += 4;
        if (count < 0 || count > bytes.Length - at)
        {
            return false;
        }

        groups = new List<InputHessian>(count);
        for (var i = 0; i < count; i++)
        {
            if (!InputHessian.TryRead(bytes, ref at, out var h))
            {
                return false;
            }

            groups.Add(h!);
        }

        return true;
    }

    private static bool TryReadSums(ReadOnlySpan<byte> bytes, ref int at, int channels, out double[]? sums)
    {
        sums = null;
        at++;
        if (bytes.Length - at < 4 || BinaryPrimitives.ReadInt32LittleEndian(bytes[at..]) != channels || bytes.Length - at - 4 < 8L * channels)
        {
            return false;
        }

        at += 4;
        sums = new double[channels];
        for (var i = 0; i < channels; i++, at += 8)
        {
            sums[i] = BinaryPrimitives.ReadDoubleLittleEndian(bytes[at..]);
        }

        return true;
    }

    private static void WriteFloats(MemoryStream stream, float[] values)
    {
        var bytes = new byte[4 * values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        }

        stream.Write(bytes);
    }

    private static float[] ReadFloats(ReadOnlySpan<byte> bytes, ref int at, int count)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(at + (4 * i))..]);
        }

        at += 4 * count;
        return values;
    }
}
