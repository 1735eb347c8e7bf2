using ModelCompress.Analysis;
using ModelCompress.Cache;
using ModelCompress.Data;
using ModelCompress.Engine;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Reports;

namespace ModelCompress.Tests.Cache;

/// <summary>
/// The cache scenarios through the engine with the expensive pass: <c>smoothquant: { alpha: auto }</c> (one unit of
/// work per group of layers sharing an input, keyed by the group's weights and its input's statistics and captured
/// rows, which the α search replays through the int8 kernel) followed by static int8 QDQ (per layer, keyed by the
/// smoothed weights and the input ranges on the smoothed model), on the real stories260K model with 8 calibration
/// windows of 32 tokens. stories260K has 21 groups (per block: Q/K/V, the attention output, gate/up, down; and the
/// classifier) and 36 layers.
/// </summary>
public sealed class SmoothQuantCacheTests
{
    private const string Steps = "      - smoothquant: { alpha: auto }\n      - quantize: { mode: static }";
    private const int Groups = 21;
    private const int Layers = 36;

    private static List<string> Looked(CompressResult result, string step, bool hit) =>
        [.. CacheScenarioTests.CacheOf(result).Lookups.Where(l => l.Kind == "layer" && l.Step == step && l.Hit == hit).Select(l => l.Layer!)];

    private static (int Hits, int Runs) Calibration(CompressResult result) =>
        (CacheScenarioTests.CacheOf(result).CalibrationHits, CacheScenarioTests.CacheOf(result).CalibrationMisses);

    /// <summary>
    /// The SmoothQuant groups (named by their first layer) that a change to <paramref name="changed"/>'s weight must
    /// recompute: its own group, and every group whose shared input is computed from its output.
    /// </summary>
    private static List<string> DownstreamGroups(string modelPath, string changed)
    {
        var reached = CalibratedCacheTests.ValuesComputedFrom(modelPath, changed);
        return [.. GraphAnalyzer.Analyze(OnnxModel.Load(modelPath)).Groups
            .Where(g => g.Layers.Any(l => l.Name == changed) || reached.Contains(g.Activation))
            .Select(g => g.Layers[0].Name)];
    }

    [Fact]
    public void Scenarios_a_and_d_nothing_or_only_thresholds_changed_every_group_and_layer_is_read_back_with_the_bytes_of_an_uncached_run()
    {
        using var p = new StoriesCacheProject(steps: Steps);
        var uncached = p.Compress("plain", useCache: false);
        var first = p.Compress("first");

        var sink = new ListDiagnosticSink();
        var second = p.Compress("second", sink);
        p.WriteRecipe("        - { metric: top1_agreement, min: 0.25 }\n        - { metric: cosine, min: 0.5 }");
        var thresholds = p.Compress("thresholds");

        Assert.Equal((Groups, Layers), (Looked(first, "smoothquant", hit: false).Count, Looked(first, "quantize", hit: false).Count));
        Assert.Equal((0, 2), Calibration(first));
        foreach (var run in new[] { second, thresholds })
        {
            Assert.Equal((Groups, 0), (Looked(run, "smoothquant", hit: true).Count, Looked(run, "smoothquant", hit: false).Count));
            Assert.Equal((Layers, 0), (Looked(run, "quantize", hit: true).Count, Looked(run, "quantize", hit: false).Count));
            Assert.Equal((2, 0), Calibration(run)); // no ONNX Runtime calibration run at all
            Assert.All(CacheScenarioTests.CacheOf(run).Lookups.Where(l => l.Kind == "verification"), l => Assert.Equal(0, l.SegmentsRun));
            Assert.Contains(CacheScenarioTests.CacheOf(run).Lookups, l => l.Kind == "gate" && l.Hit); // nor for verification: its measurements are read back
        }

        // A hit gives exactly the bytes a fresh computation gives: model, and the report's deterministic part
        // (chosen α and MSE curve of every layer, keys, sizes).
        var plain = File.ReadAllBytes(p.PathOf("plain/stories.onnx"));
        Assert.Equal(plain, File.ReadAllBytes(p.PathOf("first/stories.onnx")));
        Assert.Equal(plain, File.ReadAllBytes(p.PathOf("second/stories.onnx")));
        Assert.Equal(plain, File.ReadAllBytes(p.PathOf("thresholds/stories.onnx")));
        Assert.Equal(CacheScenarioTests.Deterministic(uncached.Report), CacheScenarioTests.Deterministic(second.Report));
        Assert.Contains(second.Report.Models[0].Steps[0].Layers, l => l.AlphaSearch is { Curve.Count: 9 });
        Assert.Equal(2, thresholds.Report.Models[0].Verification!.Thresholds.Count); // the new thresholds were applied
        Assert.DoesNotContain(sink.Items, d => d.Code.StartsWith("MC6", StringComparison.Ordinal));
        Assert.True(CacheScenarioTests.CacheOf(second).SavedMilliseconds > 0);

        var json = File.ReadAllText(p.PathOf("second/report.json"));
        Assert.Contains("\"step\": \"smoothquant\"", json, StringComparison.Ordinal);
        Assert.Contains("\"kind\": \"calibration\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Scenarios_b_and_c_a_changed_layer_recomputes_itself_and_what_its_output_feeds_never_what_feeds_it()
    {
        using var p = new StoriesCacheProject(steps: Steps);
        p.Compress("first");

        // (b) The last block's down projection: its group and the classifier's (its input, the final norm, is computed
        // from the changed layer's output) are searched again, and the same two layers quantized again.
        p.ScaleLayerWeight(StoriesCacheProject.LateLayer, 1.25f);
        var late = p.Compress("late");
        Assert.Equal([StoriesCacheProject.LateLayer, "output"], Looked(late, "smoothquant", hit: false));
        Assert.Equal(DownstreamGroups(p.ModelPath, StoriesCacheProject.LateLayer), Looked(late, "smoothquant", hit: false));
        Assert.Equal([StoriesCacheProject.LateLayer, "output"], Looked(late, "quantize", hit: false));
        Assert.Equal((Groups - 2, Layers - 2), (Looked(late, "smoothquant", hit: true).Count, Looked(late, "quantize", hit: true).Count));
        Assert.Equal((0, 2), Calibration(late)); // the model changed, so both steps calibrated again

        // ... but stories260K is cut into 3 segments, and the change is in the last one: ONNX Runtime runs only that
        // segment in each step's calibration and in the verification of the fp32 model, resuming from the stored
        // activations of the cut before it; the earlier segments' statistics are read back.
        var segments = CacheScenarioTests.CacheOf(late).Lookups.Where(l => l.Kind is "calibration" or "verification").ToList();
        Assert.All(segments.Where(l => l.Kind == "calibration"), l => Assert.Equal((3, 1), (l.Segments, l.SegmentsRun)));
        Assert.Contains(segments, l => l.Kind == "verification" && l.Segments == 3 && l.SegmentsRun == 1);

        // (c) The first attention output projection: everything after it is recomputed; the Q/K/V group before it,
        // which reads the first norm's output, is read back in both steps.
        p.ScaleLayerWeight(StoriesCacheProject.EarlyLayer, 0.75f);
        var early = p.Compress("early");
        var groups = DownstreamGroups(p.ModelPath, StoriesCacheProject.EarlyLayer);
        Assert.Equal(Groups - 1, groups.Count);
        Assert.Equal(groups, Looked(early, "smoothquant", hit: false));
        Assert.Equal(["layers.0.attention.wq"], Looked(early, "smoothquant", hit: true));
        Assert.Equal(CalibratedCacheTests.Downstream(p.ModelPath, StoriesCacheProject.EarlyLayer), Looked(early, "quantize", hit: false));
        Assert.Equal(["layers.0.attention.wq", "layers.0.attention.wk", "layers.0.attention.wv"], Looked(early, "quantize", hit: true));
        Assert.All(CacheScenarioTests.CacheOf(early).Lookups.Where(l => l.Kind == "calibration"), l => Assert.Equal((3, 3), (l.Segments, l.SegmentsRun)));

        // What was read back is what a run without the cache computes.
        var uncached = p.Compress("plain", useCache: false);
        Assert.Equal(File.ReadAllBytes(p.PathOf("plain/stories.onnx")), File.ReadAllBytes(p.PathOf("early/stories.onnx")));
        Assert.Equal(CacheScenarioTests.Deterministic(uncached.Report), CacheScenarioTests.Deterministic(early.Report));
    }

    [Fact]
    public async Task Damaged_group_layer_and_calibration_entries_are_MC6001_and_two_runs_at_once_still_write_the_uncached_bytes()
    {
        using var p = new StoriesCacheProject(steps: Steps);
        p.Compress("plain", useCache: false);
        p.Compress("first");
        var expected = File.ReadAllBytes(p.PathOf("plain/stories.onnx"));

        // Damage one entry of each kind: a truncated SmoothQuant group result or quantized layer, a flipped bit in a
        // step's calibration statistics index (LazyStatisticsTests covers the parts that hold the values).
        var layers = Directory.GetFiles(Path.Combine(p.CacheDir, "layers"), "*.mce", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        var calibration = Directory.GetFiles(Path.Combine(p.CacheDir, "calibration"), "*.mce", SearchOption.AllDirectories)
            .Where(f => StatisticsCodec.TryDecodeIndex(File.ReadAllBytes(f).AsSpan(CacheEntryFormat.HeaderLength), out _))
            .Order(StringComparer.Ordinal).ToList();
        Assert.Equal((Groups + Layers, 2), (layers.Count, calibration.Count));
        File.WriteAllBytes(layers[0], File.ReadAllBytes(layers[0])[..^7]);
        var stats = File.ReadAllBytes(calibration[0]);
        stats[^1] ^= 0x10;
        File.WriteAllBytes(calibration[0], stats);

        // Both runs find the damage (or the other's repair) at once; each recomputes what it cannot trust.
        var sinks = new[] { new ListDiagnosticSink(), new ListDiagnosticSink() };
        var runs = await Task.WhenAll(
            Task.Run(() => p.Compress("a", sinks[0])),
            Task.Run(() => p.Compress("b", sinks[1])));

        Assert.Equal(expected, File.ReadAllBytes(p.PathOf("a/stories.onnx")));
        Assert.Equal(expected, File.ReadAllBytes(p.PathOf("b/stories.onnx")));
        var warnings = sinks.SelectMany(s => s.Items).Where(d => d.Code.StartsWith("MC6", StringComparison.Ordinal)).ToList();
        Assert.All(warnings, w => Assert.Equal(("MC6001", DiagnosticSeverity.Warning), (w.Code, w.Severity)));
        Assert.Contains(warnings, w => w.File == layers[0]);
        Assert.Contains(warnings, w => w.File == calibration[0]);
        Assert.All(runs, r => Assert.Equal(Groups + Layers, CacheScenarioTests.CacheOf(r).LayerHits + CacheScenarioTests.CacheOf(r).LayerMisses));

        // Afterwards every entry verifies and a third run reads everything back.
        var clean = new ListDiagnosticSink();
        var third = p.Compress("c", clean);
        Assert.DoesNotContain(clean.Items, d => d.Code.StartsWith("MC6", StringComparison.Ordinal));
        Assert.Equal((Groups + Layers, 0, 2), (CacheScenarioTests.CacheOf(third).LayerHits, CacheScenarioTests.CacheOf(third).LayerMisses, Calibration(third).Hits));
        Assert.Equal(expected, File.ReadAllBytes(p.PathOf("c/stories.onnx")));
        Assert.Empty(Directory.GetFiles(p.CacheDir, "*" + AtomicFile.TempSuffix, SearchOption.AllDirectories));
    }

    [Fact]
    public void Statistics_parts_gone_behind_read_back_segments_are_calibrated_again_with_the_bytes_of_an_uncached_run()
    {
        using var p = new StoriesCacheProject(steps: Steps);
        p.Compress("first");

        // A late change re-runs the last segment only; the earlier segments' statistics are read back from their
        // index alone. With every statistics part deleted behind them, storing the step's index finds the parts
        // missing and the step is calibrated again from scratch: the output is what a run without the cache writes.
        p.ScaleLayerWeight(StoriesCacheProject.LateLayer, 1.25f);
        foreach (var file in Directory.GetFiles(Path.Combine(p.CacheDir, "calibration"), "*.mce", SearchOption.AllDirectories))
        {
            File.Delete(file);
        }

        var sink = new ListDiagnosticSink();
        var late = p.Compress("late", sink);
        var plain = p.Compress("plain", useCache: false);
        Assert.Equal(File.ReadAllBytes(p.PathOf("plain/stories.onnx")), File.ReadAllBytes(p.PathOf("late/stories.onnx")));
        Assert.Equal(CacheScenarioTests.Deterministic(plain.Report), CacheScenarioTests.Deterministic(late.Report));
        Assert.DoesNotContain(sink.Items, d => d.Severity == DiagnosticSeverity.Error);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(p.CacheDir, "calibration"), "*.mce", SearchOption.AllDirectories));
    }
}
