using ModelCompress.Analysis;
using ModelCompress.Cache;
using ModelCompress.Engine;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Passes;
using ModelCompress.Reports;

namespace ModelCompress.Tests.Cache;

/// <summary>
/// The scenarios with a pass that reads its layers' input statistics (<see cref="SmoothingTestPass"/>), on stories260K
/// with real calibration in ONNX Runtime, through the engine's <see cref="PassRunner"/> and cache session: a changed
/// layer invalidates itself and every layer whose input it feeds, never the layers upstream of it, and a no-change run
/// does not even run calibration.
/// </summary>
public sealed class CalibratedCacheTests
{
    internal sealed record Outcome(StepReport Report, ModelCacheTimings Cache, int CalibrationRuns, List<string> Computed, ListDiagnosticSink Sink);

    internal static Outcome Run(StoriesCacheProject p)
    {
        var recipe = p.LoadRecipe();
        var model = recipe.Models[0];
        var step = model.Steps[0];
        var onnx = OnnxModel.Load(model.SourcePath);
        var sink = new ListDiagnosticSink();
        var session = new CacheSession(new DirectoryLayerCache(p.CacheDir, sink), EngineInfo.Version, sink);
        var pass = new SmoothingTestPass();
        var calibrationRuns = 0;
        var options = new CompressOptions(p.PathOf("out"));
        var report = new PassRunner(session).Run(step, pass, onnx, new PassContext(model.Name, step.Location, sink), null,
            names => session.GetOrCollectStatistics(model, step, onnx, names, n =>
            {
                calibrationRuns++;
                return ModelCompressEngine.CollectStatistics(model, step, onnx, n, options, CancellationToken.None);
            }),
            CancellationToken.None);
        return new Outcome(report, session.TakeModelTimings(model.Name)!, calibrationRuns, pass.Computed, sink);
    }

    /// <summary>
    /// The layers a change to <paramref name="changed"/>'s weight must recompute: itself, and every layer whose input
    /// is computed (transitively) from its output.
    /// </summary>
    internal static List<string> Downstream(string modelPath, string changed)
    {
        var reached = ValuesComputedFrom(modelPath, changed);
        return [.. GraphAnalyzer.Analyze(OnnxModel.Load(modelPath)).Layers
            .Where(l => l.Name == changed || reached.Contains(l.InputName))
            .Select(l => l.Name)];
    }

    /// <summary>Every value computed (transitively) from the outputs of node <paramref name="changed"/>.</summary>
    internal static HashSet<string> ValuesComputedFrom(string modelPath, string changed)
    {
        var graph = OnnxModel.Load(modelPath).Graph;
        var reached = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(graph.FindNode(changed)!.Outputs);
        while (pending.TryPop(out var value))
        {
            if (reached.Add(value))
            {
                foreach (var consumer in graph.GetConsumers(value))
                {
                    consumer.Outputs.ToList().ForEach(pending.Push);
                }
            }
        }

        return reached;
    }

    [Fact]
    public void Scenarios_a_b_c_keys_follow_each_layers_input_statistics()
    {
        using var p = new StoriesCacheProject();
        var full = Run(p);
        Assert.Equal(36, full.Computed.Count);
        Assert.Equal((1, 0, 1), (full.CalibrationRuns, full.Cache.CalibrationHits, full.Cache.CalibrationMisses));

        // (a) Nothing changed: no calibration run, every layer read back under the same key.
        var again = Run(p);
        Assert.Equal((0, 1), (again.CalibrationRuns, again.Cache.CalibrationHits));
        Assert.Empty(again.Computed);
        Assert.Equal(36, again.Cache.LayerHits);
        Assert.Equal(full.Report.Layers.Select(l => l.Key), again.Report.Layers.Select(l => l.Key));

        // (b) A late layer changed: it and the classifier it feeds (through the final norm) are recomputed.
        p.ScaleLayerWeight(StoriesCacheProject.LateLayer, 1.25f);
        var late = Run(p);
        Assert.Equal(1, late.CalibrationRuns);
        Assert.Equal([StoriesCacheProject.LateLayer, "output"], late.Computed);
        Assert.Equal(Downstream(p.ModelPath, StoriesCacheProject.LateLayer), late.Computed);
        Assert.Equal(34, late.Cache.LayerHits);

        // (c) An early layer changed: every layer after it is recomputed, the three that share its block's input are not.
        p.ScaleLayerWeight(StoriesCacheProject.EarlyLayer, 0.75f);
        var early = Run(p);
        var expected = Downstream(p.ModelPath, StoriesCacheProject.EarlyLayer);
        Assert.Equal(33, expected.Count);
        Assert.Equal(expected, early.Computed);
        Assert.Equal(
            ["layers.0.attention.wq", "layers.0.attention.wk", "layers.0.attention.wv"],
            early.Cache.Lookups.Where(l => l.Hit && l.Kind == "layer").Select(l => l.Layer));
        Assert.Empty(early.Sink.Items);
    }

    [Fact]
    public void Damaged_calibration_statistics_are_MC6001_and_collected_again()
    {
        using var p = new StoriesCacheProject();
        var first = Run(p);
        var entry = LazyStatisticsTests.IndexEntry(p.CacheDir);
        var bytes = File.ReadAllBytes(entry);
        File.WriteAllBytes(entry, bytes[..(bytes.Length / 2)]);

        var second = Run(p);

        Assert.Equal("MC6001", Assert.Single(second.Sink.Items).Code);
        Assert.Equal(1, second.CalibrationRuns);
        Assert.Empty(second.Computed); // the statistics came out the same, so every layer key matched
        Assert.Equal(first.Report.Layers.Select(l => l.Key), second.Report.Layers.Select(l => l.Key));
        Assert.Equal(0, Run(p).CalibrationRuns);
    }
}
