using ModelCompress.Cache;

namespace ModelCompress.Tests.Cache;

/// <summary>
/// Calibration statistics are stored as a small index (value → hash of its statistics) and one part per value
/// (<see cref="StatisticsCodec"/>): a run whose layers all hit reads only the index; a part is read, verified and
/// decoded only for a layer that must be computed, and a damaged or missing part means calibrating again, never using
/// it. Real calibration on stories260K through <see cref="CalibratedCacheTests.Run"/>.
/// </summary>
public sealed class LazyStatisticsTests
{
    /// <summary>The calibration index entry of the cache's only step (the one calibration entry whose payload is an index).</summary>
    internal static string IndexEntry(string cacheDir) =>
        Assert.Single(CalibrationFiles(cacheDir), f => StatisticsCodec.TryDecodeIndex(File.ReadAllBytes(f).AsSpan(CacheEntryFormat.HeaderLength), out _));

    private static string[] CalibrationFiles(string cacheDir) =>
        Directory.GetFiles(Path.Combine(cacheDir, "calibration"), "*.mce", SearchOption.AllDirectories);

    private static List<string> Parts(string cacheDir)
    {
        var index = IndexEntry(cacheDir);
        return [.. CalibrationFiles(cacheDir).Where(f => f != index)];
    }

    private static void DeleteLayerEntries(string cacheDir) => Directory.Delete(Path.Combine(cacheDir, "layers"), recursive: true);

    private static void FlipMiddleByte(string path)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(path, bytes);
    }

    [Fact]
    public void A_run_whose_layers_all_hit_reads_no_statistics_part()
    {
        using var p = new StoriesCacheProject();
        var first = Run(p);
        var parts = Parts(p.CacheDir);
        Assert.NotEmpty(parts);

        // Were any part read, its damage would be MC6001 and a calibration run; with every layer a hit, none is.
        parts.ForEach(FlipMiddleByte);
        var again = CalibratedCacheTests.Run(p);

        Assert.Empty(again.Sink.Items);
        Assert.Equal(0, again.CalibrationRuns);
        Assert.Empty(again.Computed);
        Assert.Equal(first.Report.Layers.Select(l => l.Key), again.Report.Layers.Select(l => l.Key));
    }

    [Fact]
    public void Layers_that_miss_decode_their_parts_and_get_the_keys_fresh_statistics_give()
    {
        using var p = new StoriesCacheProject();
        var first = Run(p);
        DeleteLayerEntries(p.CacheDir);

        var again = CalibratedCacheTests.Run(p);

        Assert.Empty(again.Sink.Items);
        Assert.Equal(0, again.CalibrationRuns);
        Assert.Equal(first.Computed, again.Computed);
        Assert.Equal(first.Report.Layers.Select(l => l.Key), again.Report.Layers.Select(l => l.Key));
        Assert.Equal(first.Report.Layers.Select(l => l.Note), again.Report.Layers.Select(l => l.Note));
    }

    [Fact]
    public void A_damaged_part_that_a_layer_needs_is_MC6001_and_the_step_is_calibrated_again()
    {
        using var p = new StoriesCacheProject();
        var first = Run(p);
        var parts = Parts(p.CacheDir);
        FlipMiddleByte(parts[0]);
        DeleteLayerEntries(p.CacheDir);

        var again = CalibratedCacheTests.Run(p);

        var warning = Assert.Single(again.Sink.Items);
        Assert.Equal("MC6001", warning.Code);
        Assert.Equal(1, again.CalibrationRuns);
        Assert.Equal(first.Computed, again.Computed);
        Assert.Equal(first.Report.Layers.Select(l => l.Key), again.Report.Layers.Select(l => l.Key));

        // The damaged part was replaced: the next run that needs every part reads them all without a warning.
        DeleteLayerEntries(p.CacheDir);
        var third = CalibratedCacheTests.Run(p);
        Assert.Empty(third.Sink.Items);
        Assert.Equal(0, third.CalibrationRuns);
        Assert.Equal(first.Report.Layers.Select(l => l.Key), third.Report.Layers.Select(l => l.Key));
    }

    [Fact]
    public void An_evicted_part_is_a_miss_not_damage_and_the_step_is_calibrated_again()
    {
        using var p = new StoriesCacheProject();
        var first = Run(p);
        var parts = Parts(p.CacheDir);
        parts.ForEach(File.Delete);
        DeleteLayerEntries(p.CacheDir);

        var again = CalibratedCacheTests.Run(p);

        Assert.Empty(again.Sink.Items);
        Assert.Equal(1, again.CalibrationRuns);
        Assert.Equal(first.Report.Layers.Select(l => l.Key), again.Report.Layers.Select(l => l.Key));
        Assert.Equal(parts.Order(StringComparer.Ordinal), Parts(p.CacheDir).Order(StringComparer.Ordinal)); // stored again
    }

    private static CalibratedCacheTests.Outcome Run(StoriesCacheProject p)
    {
        var outcome = CalibratedCacheTests.Run(p);
        Assert.Equal(1, outcome.CalibrationRuns);
        Assert.NotEmpty(outcome.Computed);
        return outcome;
    }
}
