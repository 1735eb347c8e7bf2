using ModelCompress.Calibration;
using ModelCompress.Passes;

namespace ModelCompress.Tests.Passes.Structured;

public sealed class ChannelImportanceTests
{
    // 4 channels, parts [consumer 2 | producer 1]: row j = [B_j0, B_j1 | A_j].
    private static readonly float[] Unit =
    [
        3, 4, 1,    // ‖B‖ 5, ‖A‖ 1 → weight score 5
        0, 1, 10,   // 1 · 10 = 10
        1, 0, 2,    // 1 · 2 = 2
        6, 8, 0.1f, // 10 · 0.1 = 1
    ];

    [Fact]
    public void Weight_scores_are_consumer_row_norm_times_producer_column_norm_and_the_lowest_go()
    {
        Assert.Equal([5, 10, 2, 1], ChannelImportance.Scores(Unit, 4, [2, 1], null).Select(s => Math.Round(s, 4)));
        Assert.Equal([0, 1], ChannelImportance.Keep(Unit, 4, 1, [2, 1], 0.5, null));
    }

    [Fact]
    public void Activation_norms_replace_the_producer_estimate_and_all_zero_statistics_fall_back_to_weights()
    {
        float[] absMax = [1, 0.1f, 10, 1];
        var stats = new LayerInputStatistics(new float[4], absMax, absMax, 1);
        Assert.Equal([2, 3], ChannelImportance.Keep(Unit, 4, 1, [2, 1], 0.5, stats)); // scores 5, 0.1, 10, 10
        Assert.Equal([2], ChannelImportance.Keep(Unit, 4, 1, [2, 1], 0.75, stats)); // a tie keeps the lower index

        var zeros = new LayerInputStatistics(new float[4], new float[4], new float[4], 1);
        Assert.Equal([0, 1], ChannelImportance.Keep(Unit, 4, 1, [2, 1], 0.5, zeros));
    }

    [Fact]
    public void Groups_rank_by_summed_squares_and_at_least_one_is_kept()
    {
        // Two groups of two channels: scores² 25 + 100 = 125 and 4 + 1 = 5.
        Assert.Equal([0], ChannelImportance.Keep(Unit, 2, 2, [2, 1], 0.99, null));
        Assert.Equal([0, 1], ChannelImportance.Keep(Unit, 2, 2, [2, 1], 0.3, null));
    }

    [Fact]
    public void Results_round_trip_and_a_result_for_another_unit_is_refused()
    {
        var bytes = ChannelImportance.Encode([1, 3]);
        Assert.Equal([1, 3], ChannelImportance.Decode(bytes, 4));
        Assert.Throws<InvalidDataException>(() => ChannelImportance.Decode(bytes, 3));
        Assert.Throws<InvalidDataException>(() => ChannelImportance.Decode(ChannelImportance.Encode([3, 1]), 4));
    }
}
