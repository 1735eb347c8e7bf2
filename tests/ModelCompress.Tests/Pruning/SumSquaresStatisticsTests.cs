using ModelCompress.Calibration;
using ModelCompress.Passes;

namespace ModelCompress.Tests.Pruning;

/// <summary>The optional per-channel Σx² section of layer statistics: its encoding, and older encodings still read.</summary>
public sealed class SumSquaresStatisticsTests
{
    [Fact]
    public void Sum_of_squares_round_trips_and_statistics_without_it_encode_as_before()
    {
        var with = new LayerInputStatistics([0, -1], [2, 1], [2, 1], 3, rows: [1, 2, 3, 4], sumSquares: [5.5, 1e-300]);
        var without = new LayerInputStatistics([0, -1], [2, 1], [2, 1], 3, rows: [1, 2, 3, 4]);

        Assert.True(LayerInputStatistics.TryFromBytes(with.ToBytes(), out var back));
        Assert.Equal([5.5, 1e-300], back.SumSquares!);
        Assert.Equal(with.ToBytes(), back.ToBytes());
        Assert.Equal(without.ToBytes(), with.ToBytes()[..without.ToBytes().Length]);
        Assert.True(LayerInputStatistics.TryFromBytes(without.ToBytes(), out var old));
        Assert.Null(old.SumSquares);
    }

    [Fact]
    public void A_truncated_or_mis_sized_section_is_not_read()
    {
        var bytes = new LayerInputStatistics([0], [1], [1], 1, sumSquares: [2.0]).ToBytes();

        Assert.False(LayerInputStatistics.TryFromBytes(bytes[..^1], out _));
        var wrongCount = (byte[])bytes.Clone();
        wrongCount[^12] = 2;
        Assert.False(LayerInputStatistics.TryFromBytes(wrongCount, out _));
    }

    [Fact]
    public void The_request_key_is_unchanged_unless_sum_of_squares_is_asked_for()
    {
        Assert.Equal("histogram=False|rows=0", LayerStatisticsRequest.MinMax.ToString());
        Assert.Equal("histogram=False|rows=0|sumsq=True", new LayerStatisticsRequest(SumSquares: true).ToString());
        Assert.False(new LayerStatisticsRequest(SumSquares: true).IsMinMaxOnly);
    }
}
