using ModelCompress.Engine;
using ModelCompress.Reports;

namespace ModelCompress.Tests.Cache;

/// <summary>
/// The cache scenarios end to end through the engine on the real stories260K model with the engine's quantize pass
/// (weight-only int8, which reads no input statistics, so a layer's key is its weights, settings and engine version).
/// The same scenarios with a pass that reads input statistics are in <see cref="CalibratedCacheTests"/>.
/// </summary>
public sealed class CacheScenarioTests
{
    private const int Layers = 36; // 5 blocks × (wq, wk, wv, wo, w1, w3, w2) + the classifier

    internal static ModelCacheTimings CacheOf(CompressResult result) =>
        Assert.Single(result.Report.Timings.Models).Cache ?? throw new InvalidOperationException("the run used no cache");

    internal static List<string> Computed(CompressResult result) =>
        [.. CacheOf(result).Lookups.Where(l => l.Kind == "layer" && !l.Hit).Select(l => l.Layer!)];

    /// <summary>The report without its run-dependent <c>timings</c>, as text.</summary>
    internal static string Deterministic(CompressionReport report) =>
        System.Text.Encoding.UTF8.GetString(ReportJson.ToUtf8(report with { Timings = new RunTimings(0, [], 0, 0) }));

    [Fact]
    public void Scenario_a_a_second_run_reads_every_layer_back_and_writes_the_bytes_of_an_uncached_run()
    {
        using var p = new StoriesCacheProject();

        var uncached = p.Compress("plain", useCache: false);
        var first = p.Compress("first");
        var second = p.Compress("second");

        Assert.Null(Assert.Single(uncached.Report.Timings.Models).Cache);
        Assert.Equal((0, Layers), (CacheOf(first).LayerHits, CacheOf(first).LayerMisses));
        Assert.Equal((Layers, 0), (CacheOf(second).LayerHits, CacheOf(second).LayerMisses));
        Assert.Equal((Layers, 0), (second.Report.Timings.CacheHits, second.Report.Timings.CacheMisses));
        Assert.All(CacheOf(second).Lookups, l => Assert.True(l is { Kind: "layer" or "verification" or "gate", Hit: true, SavedMilliseconds: >= 0 }));
        Assert.Contains(CacheOf(second).Lookups, l => l is { Kind: "gate", Layer: "metrics", Hit: true }); // nothing run for the gate either: its measurements are read back
        Assert.Equal(Math.Round(CacheOf(second).Lookups.Sum(l => l.SavedMilliseconds), 3), CacheOf(second).SavedMilliseconds, 3);
        var plain = File.ReadAllBytes(p.PathOf("plain/stories.onnx"));
        Assert.Equal(plain, File.ReadAllBytes(p.PathOf("first/stories.onnx")));
        Assert.Equal(plain, File.ReadAllBytes(p.PathOf("second/stories.onnx")));
        Assert.Equal(Deterministic(uncached.Report), Deterministic(second.Report));

        // report.json carries the per-layer look-ups under timings.
        var json = File.ReadAllText(p.PathOf("second/report.json"));
        Assert.Contains("\"layer_hits\": 36", json, StringComparison.Ordinal);
        Assert.Contains("\"layer\": \"layers.4.feed_forward.w2\"", json, StringComparison.Ordinal);
        var parsed = ReportJson.Parse(File.ReadAllBytes(p.PathOf("second/report.json"))).Timings.Models[0].Cache!;
        Assert.Equal((Layers, 0, CacheOf(second).SavedMilliseconds), (parsed.LayerHits, parsed.LayerMisses, parsed.SavedMilliseconds));
        Assert.Equal(CacheOf(second).Lookups, parsed.Lookups);
    }

    [Fact]
    public void Scenarios_b_and_c_a_changed_late_or_early_layer_is_the_only_one_recomputed_by_a_pass_that_reads_only_weights()
    {
        using var p = new StoriesCacheProject();
        p.Compress("first");

        p.ScaleLayerWeight(StoriesCacheProject.LateLayer, 1.25f);
        var late = p.Compress("late");
        p.ScaleLayerWeight(StoriesCacheProject.EarlyLayer, 0.75f);
        var early = p.Compress("early");
        var uncached = p.Compress("plain", useCache: false);

        Assert.Equal([StoriesCacheProject.LateLayer], Computed(late));
        Assert.Equal([StoriesCacheProject.EarlyLayer], Computed(early));
        Assert.Equal(Layers - 1, CacheOf(early).LayerHits);
        Assert.Equal(File.ReadAllBytes(p.PathOf("plain/stories.onnx")), File.ReadAllBytes(p.PathOf("early/stories.onnx")));
        Assert.NotEqual(File.ReadAllBytes(p.PathOf("first/stories.onnx")), File.ReadAllBytes(p.PathOf("late/stories.onnx")));
        Assert.Equal(Deterministic(uncached.Report), Deterministic(early.Report));
    }

    [Fact]
    public void Scenario_d_changing_only_the_verification_thresholds_recomputes_nothing()
    {
        using var p = new StoriesCacheProject();
        var first = p.Compress("first");

        p.WriteRecipe("        - { metric: top1_agreement, min: 0.25 }\n        - { metric: cosine, min: 0.5 }");
        var second = p.Compress("second");

        Assert.Equal((Layers, 0), (CacheOf(second).LayerHits, CacheOf(second).LayerMisses));
        Assert.Single(first.Report.Models[0].Verification!.Thresholds);
        Assert.Equal(2, second.Report.Models[0].Verification!.Thresholds.Count); // the new thresholds were applied
        Assert.Equal(File.ReadAllBytes(p.PathOf("first/stories.onnx")), File.ReadAllBytes(p.PathOf("second/stories.onnx")));
    }
}
