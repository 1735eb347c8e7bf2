using ModelCompress.Calibration;
using ModelCompress.Passes;

namespace ModelCompress.Tests.Passes;

/// <summary>The statistics encoding that enters work keys and the calibration cache.</summary>
public sealed class LayerInputStatisticsTests
{
    private static ActivationHistogram Histogram()
    {
        var h = new ActivationHistogram();
        h.Add([-1.5f, 0f, 0.25f, 3f, 3f, float.NaN]);
        h.Add([7.5f, -0.125f]);
        return h;
    }

    [Fact]
    public void Ranges_histogram_and_rows_round_trip_bit_for_bit()
    {
        var stats = new LayerInputStatistics([-1f, 0f], [2f, 3f], [2f, 3f], 5, Histogram(), [1f, 2f, 3f, 4f, 5f, 6f]);

        Assert.True(LayerInputStatistics.TryFromBytes(stats.ToBytes(), out var back));

        Assert.Equal(stats.ToBytes(), back.ToBytes());
        Assert.Equal(3, back.RowCount);
        Assert.Equal(stats.Histogram!.Counts.ToArray(), back.Histogram!.Counts.ToArray());
        Assert.Equal(stats.Histogram.PercentileRange(99, false), back.Histogram.PercentileRange(99, false));
        Assert.Equal((7.5f, -1.5f), (back.Histogram.Max, back.Histogram.Min));
    }

    [Fact]
    public void Ranges_alone_keep_their_original_encoding_and_extras_change_the_bytes()
    {
        var plain = new LayerInputStatistics([-1f], [2f], [2f], 1);
        var withRows = new LayerInputStatistics([-1f], [2f], [2f], 1, rows: [0.5f]);
        var otherRows = new LayerInputStatistics([-1f], [2f], [2f], 1, rows: [0.25f]);

        Assert.Equal(12 + 12, plain.ToBytes().Length);
        Assert.NotEqual(plain.ToBytes(), withRows.ToBytes());
        Assert.NotEqual(withRows.ToBytes(), otherRows.ToBytes());
    }

    [Fact]
    public void Damaged_encodings_are_refused()
    {
        var bytes = new LayerInputStatistics([-1f, 0f], [2f, 3f], [2f, 3f], 5, Histogram(), [1f, 2f]).ToBytes();

        Assert.False(LayerInputStatistics.TryFromBytes(bytes.AsSpan(0, bytes.Length - 1), out _));
        Assert.False(LayerInputStatistics.TryFromBytes([.. bytes, 0], out _));
        var badCount = (byte[])bytes.Clone();
        badCount[12 + 24 + 1 + 8] ^= 1; // header and ranges, the tag, R: the histogram's total no longer matches its bins
        Assert.False(LayerInputStatistics.TryFromBytes(badCount, out _));
        Assert.Throws<ArgumentException>(() => new LayerInputStatistics([0f, 0f], [0f, 0f], [0f, 0f], 1, rows: [1f, 2f, 3f]));
    }
}
