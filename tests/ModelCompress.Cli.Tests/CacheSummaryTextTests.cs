using ModelCompress.Cli.Verbs;
using ModelCompress.Reports;

namespace ModelCompress.Cli.Tests;

public sealed class CacheSummaryTextTests
{
    private static CompressionReport Report(ModelCacheTimings? cache) =>
        new(CompressionReport.CurrentSchema, "test", "compression.yaml", true, [], [],
            new RunTimings(1, [new ModelTimings("m", 1, [1, 1], 1) { Cache = cache }], 0, 0));

    [Fact]
    public void A_segmented_model_says_how_many_of_its_segments_ONNX_Runtime_ran()
    {
        CacheLookup[] lookups =
        [
            new("smoothquant", "layer", "fc2", false, 5, 0),
            new("smoothquant", "calibration", null, false, 200, 0) { Segments = 13, SegmentsRun = 2 },
            new("quantize", "calibration", null, false, 150, 0) { Segments = 13, SegmentsRun = 2 },
            new("verify", "verification", null, true, 10, 0) { Segments = 12, SegmentsRun = 0 },
        ];
        var text = CacheSummaryText.Describe(Report(new ModelCacheTimings(46, 4, 0, 2, 1500, lookups)), "m");
        Assert.Equal("cache: 46 of 50 layer(s) read back, 4 computed; calibration: 0 read back, 2 run; ONNX Runtime ran 4 of 38 model segment(s); 1.50 s saved", text);
    }

    [Fact]
    public void A_model_run_whole_has_no_segment_part_and_a_run_without_a_cache_no_line()
    {
        var text = CacheSummaryText.Describe(Report(new ModelCacheTimings(3, 0, 1, 0, 20, [new("quantize", "layer", "fc", true, 1, 2)])), "m");
        Assert.Equal("cache: 3 of 3 layer(s) read back, 0 computed; calibration: 1 read back, 0 run; 0.02 s saved", text);
        Assert.Null(CacheSummaryText.Describe(Report(null), "m"));
    }
}
