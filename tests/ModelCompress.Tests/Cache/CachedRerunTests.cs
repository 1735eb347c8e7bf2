using ModelCompress.Cache;
using ModelCompress.Engine;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Passes;
using ModelCompress.Reports;
using ModelCompress.Testing;

namespace ModelCompress.Tests.Cache;

/// <summary>
/// A rebuild whose every layer is a cache hit does not redo the work that does not depend on the layers being computed:
/// the gate's measurements (end-to-end metrics and the per-layer error table) and every layer's weight hash are read back
/// for the models' digests, and give the same report as measuring them.
/// </summary>
public sealed class CachedRerunTests
{
    private const string Dynamic = "      - quantize: { mode: dynamic }";

    // Weight-only int8 puts int8 weights behind DequantizeLinear, which the per-layer table simulates.
    private const string WeightOnly = "      - quantize: { mode: weight_only }";
    private const string Threshold = "        - { metric: top1_agreement, min: 0.5 }";

    [Fact]
    public void A_rerun_reads_the_gate_measurements_back_and_reports_what_measuring_reports()
    {
        using var p = new TestProject();
        p.WriteRecipe(FixtureRecipe.CharGpt(WeightOnly, Threshold, verifySamples: 2));
        var cache = p.PathOf("cache");

        var cold = Run(p, "cold", cache);
        var warm = Run(p, "warm", cache);
        var uncached = Run(p, "uncached", cache: null);

        Assert.Equal(["layers:miss", "metrics:miss"], GateLookups(cold));
        Assert.Equal(["layers:hit", "metrics:hit"], GateLookups(warm));
        Assert.Empty(GateLookups(uncached));
        var measured = uncached.Report.Models[0].Verification!;
        foreach (var run in new[] { cold, warm })
        {
            var verification = run.Report.Models[0].Verification!;
            Assert.Equal(measured.Metrics, verification.Metrics);
            Assert.Equal(measured.Layers!, verification.Layers!);
            Assert.NotEmpty(verification.Layers!);
            Assert.Equal(File.ReadAllBytes(p.PathOf("uncached/gpt.onnx")), File.ReadAllBytes(p.PathOf($"{(run == cold ? "cold" : "warm")}/gpt.onnx")));
        }
    }

    [Fact]
    public void A_changed_step_or_verify_setting_measures_again()
    {
        using var p = new TestProject();
        var cache = p.PathOf("cache");
        p.WriteRecipe(FixtureRecipe.CharGpt(WeightOnly, Threshold, verifySamples: 2));
        Run(p, "a", cache);

        p.WriteRecipe(FixtureRecipe.CharGpt("      - quantize: { mode: weight_only, per_channel: false }", Threshold, verifySamples: 2));
        Assert.Equal(["layers:miss", "metrics:miss"], GateLookups(Run(p, "b", cache)));

        p.WriteRecipe(FixtureRecipe.CharGpt(WeightOnly, Threshold, verifySamples: 3));
        Assert.Equal(["layers:miss", "metrics:miss"], GateLookups(Run(p, "c", cache)));

        // A threshold is judged on every run: a stricter one fails on the measurements read back.
        p.WriteRecipe(FixtureRecipe.CharGpt(WeightOnly, "        - { metric: max_abs_error, max: 0.000001 }", verifySamples: 2));
        var strict = Run(p, "d", cache, expectPass: false);
        Assert.Equal(["layers:hit", "metrics:hit"], GateLookups(strict));
        Assert.False(strict.Report.Models[0].Verification!.Passed);
    }

    [Fact]
    public void Weight_hashes_are_read_back_for_an_unchanged_model_and_give_the_same_keys()
    {
        using var p = new TestProject();
        var source = p.AddModel("model.onnx", SampleModels.Mlp(inputSize: 64, hiddenSize: 128, outputSize: 10, hiddenLayers: 3));
        var other = p.AddModel("other.onnx", SampleModels.Mlp(inputSize: 64, hiddenSize: 128, outputSize: 10, hiddenLayers: 3, seed: 7));
        p.WriteRecipe("version: 1\nmodels:\n  - name: mlp\n    source: model.onnx\n    steps:\n" + Dynamic + "\n");
        var cache = new DirectoryLayerCache(p.PathOf("cache"));

        var first = RunStep(p, source, cache);
        var second = RunStep(p, source, cache);
        var changed = RunStep(p, other, cache);

        Assert.Equal(0, first.Known);
        Assert.All(first.Rows, row => Assert.False(row.EndsWith(' '), $"no weight error: {row}"));
        Assert.Equal(second.Rows.Count, second.Known);
        Assert.True(second.Rows.Count >= 4, $"{second.Rows.Count} layers");
        Assert.Equal(first.Rows, second.Rows);
        Assert.Equal(first.Output, second.Output);
        Assert.Equal(0, changed.Known);
        Assert.NotEqual(first.Rows, changed.Rows);
    }

    private static CompressResult Run(TestProject p, string output, string? cache, bool expectPass = true)
    {
        var sink = new ListDiagnosticSink();
        var result = p.Compress(sink, output, cache);
        Assert.True(result.Report.Models[0].Verification!.Passed == expectPass, string.Join("\n", sink.Items));
        return result;
    }

    private static List<string> GateLookups(CompressResult result) =>
        [.. (result.Report.Timings.Models[0].Cache?.Lookups ?? []).Where(l => l.Kind == "gate")
            .Select(l => $"{l.Layer}:{(l.Hit ? "hit" : "miss")}").Order(StringComparer.Ordinal)];

    private static (int Known, List<string> Rows, byte[] Output) RunStep(TestProject p, string modelPath, ILayerCache cache)
    {
        var model = p.LoadRecipe().Models[0];
        var step = model.Steps[0];
        var onnx = OnnxModel.Load(modelPath);
        var runner = new PassRunner(cache, EngineInfo.Version);
        runner.Session.ModelLoaded(onnx, [modelPath]);
        var sink = new ListDiagnosticSink();
        var report = runner.Run(step, PassFactory.Create(step, model.Name, sink), onnx, new PassContext(model.Name, step.Location, sink), null,
            _ => throw new InvalidOperationException("no calibration"), CancellationToken.None);
        // The row as the report shows it: the weight error column comes from the stored errors on a rebuild.
        return (runner.KnownWeightHashes, [.. report.Layers.Select(l => $"{l.Key} {l.BytesBefore} {l.BytesAfter} {l.MaxAbsWeightError:R}")], onnx.ToBytes());
    }
}
