using ModelCompress.Kernels;
using ModelCompress.Recipe;

namespace ModelCompress.Calibration;

/// <summary>
/// What calibration learned about one tensor, streamed over every sample: per-channel minimum, maximum and max |x|
/// (SmoothQuant's max|X_j|), an optional histogram, and an optional bounded set of captured rows.
/// </summary>
public sealed class TensorStatistics
{
    private readonly List<float> _rows = [];

    internal TensorStatistics(CalibrationRequest request, int channels)
    {
        Request = request;
        Channels = channels;
        ChannelMin = new float[channels];
        ChannelMax = new float[channels];
        ChannelAbsMax = new float[channels];
        Array.Fill(ChannelMin, float.PositiveInfinity);
        Array.Fill(ChannelMax, float.NegativeInfinity);
        Histogram = request.Histogram ? new ActivationHistogram() : null;
        ChannelSumSquares = request.SumSquares ? new double[channels] : null;
        if (request.Hessian && request.Patches is { Groups: > 1 } patches)
        {
            // A grouped Conv's outputs of group g read only that group's patch columns: one Hessian per group.
            GroupHessians = [.. Enumerable.Range(0, patches.Groups).Select(_ => new InputHessian(patches.GroupColumns))];
        }
        else
        {
            Hessian = request.Hessian ? new InputHessian(channels) : null;
        }
    }

    /// <summary>What was asked for.</summary>
    public CalibrationRequest Request { get; }

    /// <summary>The tensor's name.</summary>
    public string Name => Request.Name;

    /// <summary>The size of the channel axis.</summary>
    public int Channels { get; }

    /// <summary>Per-channel minimum.</summary>
    public float[] ChannelMin { get; }

    /// <summary>Per-channel maximum.</summary>
    public float[] ChannelMax { get; }

    /// <summary>Per-channel maximum of |x|.</summary>
    public float[] ChannelAbsMax { get; }

    /// <summary>Per-channel Σx² over every sample, when requested (summed in double, in sample and row order).</summary>
    public double[]? ChannelSumSquares { get; }

    /// <summary>The histogram, when requested.</summary>
    public ActivationHistogram? Histogram { get; }

    /// <summary>H = XᵀX over every row, when requested (rows along the last axis only).</summary>
    public InputHessian? Hessian { get; }

    /// <summary>For a grouped Conv's patch view, H = XᵀX of each group's patch columns (instead of <see cref="Hessian"/>).</summary>
    public IReadOnlyList<InputHessian>? GroupHessians { get; }

    /// <summary>Samples that contributed.</summary>
    public int Samples { get; internal set; }

    /// <summary>Values seen over all samples.</summary>
    public long Elements { get; internal set; }

    /// <summary>The smallest value over all channels.</summary>
    public float Min => ChannelMin.Length == 0 ? 0 : ChannelMin.Min();

    /// <summary>The largest value over all channels.</summary>
    public float Max => ChannelMax.Length == 0 ? 0 : ChannelMax.Max();

    /// <summary>Captured rows, row-major [<see cref="RowCount"/>, <see cref="Channels"/>].</summary>
    public float[] Rows => [.. _rows];

    /// <summary>How many rows were captured.</summary>
    public int RowCount => Channels == 0 ? 0 : _rows.Count / Channels;

    /// <summary>
    /// The per-tensor range for static activation quantization: observed min/max, or a clipped range from the
    /// histogram (percentile, entropy). <paramref name="symmetric"/> asks for a range symmetric around 0.
    /// </summary>
    public (float Min, float Max) Range(ActivationRangeMethod method, double percentile, bool symmetric) =>
        RangeOf(Min, Max, Histogram, method, percentile, symmetric, Name);

    /// <summary>
    /// The per-tensor range of a tensor with observed <paramref name="min"/>/<paramref name="max"/> and (for percentile
    /// and entropy) <paramref name="histogram"/>; see <see cref="Range"/>.
    /// </summary>
    public static (float Min, float Max) RangeOf(
        float min, float max, ActivationHistogram? histogram, ActivationRangeMethod method, double percentile, bool symmetric, string name)
    {
        ActivationHistogram Require() => histogram ?? throw new InvalidOperationException($"No histogram was collected for '{name}'.");
        var (lo, hi) = method switch
        {
            ActivationRangeMethod.MinMax => (min, max),
            ActivationRangeMethod.Percentile => Require().PercentileRange(percentile, symmetric),
            _ => Require().EntropyRange(Require().LevelsFor(symmetric)),
        };
        if (symmetric)
        {
            var m = Math.Max(Math.Abs(lo), Math.Abs(hi));
            return (-m, m);
        }

        return (lo, hi);
    }

    internal void AddChannels(ReadOnlySpan<float> values, int innerSize)
    {
        TensorReductions.MinMaxPerChannel(values, innerSize, ChannelMin, ChannelMax);
        TensorReductions.AbsMaxPerChannel(values, innerSize, ChannelAbsMax);
        Histogram?.Add(values);
        if (ChannelSumSquares is { } sums)
        {
            AddSquares(values, innerSize, sums);
        }

        Elements += values.Length;
    }

    private static void AddSquares(ReadOnlySpan<float> values, int innerSize, double[] sums)
    {
        for (var i = 0; i < values.Length; i++)
        {
            var v = (double)values[i];
            sums[(i / innerSize) % sums.Length] += v * v;
        }
    }

    /// <summary>
    /// Per-channel min and max over the first and over the second half of the samples, kept with captured rows
    /// (<see cref="CalibrationRequest.CaptureRows"/>), and the index of the first captured row of the second half:
    /// statistics that the rows of the other half did not shape, for a cross-validated choice (SmoothQuant's
    /// <c>headroom: auto</c>). Null without captured rows.
    /// </summary>
    public SampleHalves? Halves { get; private set; }

    /// <summary>Folds one sample (of <paramref name="sampleCount"/>, in order) into its half's ranges.</summary>
    internal void AddToHalf(ReadOnlySpan<float> values, int innerSize, int sampleCount)
    {
        Halves ??= new SampleHalves(Channels);
        var second = Samples >= (sampleCount + 1) / 2;
        if (second && Halves.SplitRow < 0)
        {
            Halves.SplitRow = RowCount;
        }

        var h = second ? 1 : 0;
        TensorReductions.MinMaxPerChannel(values, innerSize, Halves.Min[h], Halves.Max[h]);
    }

    internal void CaptureRow(ReadOnlySpan<float> row)
    {
        foreach (var v in row)
        {
            _rows.Add(v);
        }
    }
}
