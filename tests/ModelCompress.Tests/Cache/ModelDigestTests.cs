using ModelCompress.Cache;
using ModelCompress.Engine;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Passes;
using ModelCompress.Recipe;

namespace ModelCompress.Tests.Cache;

/// <summary>
/// Calibration keys of a later step follow the model through the earlier steps' results (<see cref="ModelDigests"/>)
/// instead of serializing it: the same steps on the same model hit, a different result of an earlier step misses, and
/// the outputs are those of a run without the cache. stories260K, three steps through <see cref="PassRunner"/>: a
/// calibrated pass, weight-only int8 on all but two layers, the calibrated pass again on those two (their inputs are
/// computed by the quantized layers, so their statistics depend on the middle step's result).
/// </summary>
public sealed class ModelDigestTests
{
    private const string Kept = "\"layers.4.feed_forward.w2\", \"output\"";

    private sealed record Outcome(int CalibrationRuns, int CalibrationHits, int LayerHits, int Serialized, byte[] Model, List<string> LastComputed);

    private static Outcome Run(StoriesCacheProject p, bool useCache = true)
    {
        var model = p.LoadRecipe().Models[0];
        var quantize = (QuantizeStep)model.Steps[0];
        var onnx = OnnxModel.Load(model.SourcePath);
        var sink = new ListDiagnosticSink();
        var session = new CacheSession(useCache ? new DirectoryLayerCache(p.CacheDir, sink) : null, EngineInfo.Version, sink);
        var runner = new PassRunner(session);
        var options = new CompressOptions(p.PathOf("out"));
        var calibrationRuns = 0;
        var last = new SmoothingTestPass();
        foreach (var pass in new ICompressionPass[] { new SmoothingTestPass(), new WeightOnlyInt8Pass(quantize), last })
        {
            runner.Run(quantize, pass, onnx, new PassContext(model.Name, quantize.Location, sink), null,
                names => session.GetOrCollectStatistics(model, quantize, onnx, names, n =>
                {
                    calibrationRuns++;
                    return ModelCompressEngine.CollectStatistics(model, quantize, onnx, n, options, CancellationToken.None);
                }),
                CancellationToken.None);
        }

        Assert.DoesNotContain(sink.Items, d => d.Severity >= DiagnosticSeverity.Warning);
        var timings = session.TakeModelTimings(model.Name);
        return new Outcome(calibrationRuns, timings?.CalibrationHits ?? 0, timings?.LayerHits ?? 0, session.ModelsSerializedForKeys, onnx.ToBytes(), last.Computed);
    }

    [Fact]
    public void A_later_steps_calibration_key_follows_the_earlier_steps_results_without_serializing_the_model_again()
    {
        using var p = new StoriesCacheProject(steps: $"      - quantize: {{ mode: weight_only, exclude: [{Kept}] }}");

        var plain = Run(p, useCache: false);
        var first = Run(p);
        var second = Run(p);

        Assert.Equal(["layers.4.feed_forward.w2", "output"], first.LastComputed);
        Assert.Equal((2, 0, 1), (first.CalibrationRuns, first.CalibrationHits, first.Serialized)); // only the first step's model was serialized
        Assert.Equal((0, 2, 36 + 34 + 2), (second.CalibrationRuns, second.CalibrationHits, second.LayerHits));
        Assert.Equal(plain.Model, first.Model);
        Assert.Equal(plain.Model, second.Model);

        // Per-tensor weights in the middle step change what reaches the two float layers: the third step's
        // statistics must be collected again (a stale hit would keep the per-channel run's statistics).
        p.WriteRecipe("        - { metric: top1_agreement, min: 0.5 }", $"      - quantize: {{ mode: weight_only, per_channel: false, exclude: [{Kept}] }}");
        var changed = Run(p);
        var changedPlain = Run(p, useCache: false);

        Assert.Equal((1, 1), (changed.CalibrationRuns, changed.CalibrationHits)); // the first step's statistics still hit
        Assert.Equal(["layers.4.feed_forward.w2", "output"], changed.LastComputed);
        Assert.Equal(changedPlain.Model, changed.Model);
        Assert.NotEqual(first.Model, changed.Model);
    }

    [Fact]
    public void A_model_just_loaded_is_keyed_by_the_contents_of_its_files_without_serializing_it()
    {
        using var p = new StoriesCacheProject();
        var digests = new ModelDigests();
        var a = OnnxModel.Load(p.ModelPath);
        var b = OnnxModel.Load(p.ModelPath);
        digests.Loaded(a, [p.ModelPath]);
        digests.Loaded(b, [p.ModelPath]);

        p.ScaleLayerWeight(StoriesCacheProject.LateLayer, 1.01f);
        var c = OnnxModel.Load(p.ModelPath);
        digests.Loaded(c, [p.ModelPath]);

        Assert.Equal(digests.Of(a), digests.Of(b));
        Assert.NotEqual(digests.Of(a), digests.Of(c));
        Assert.NotEqual(digests.Of(a), CalibrationCacheKey.ModelHash(a)); // files and serialized bytes are separate domains
        Assert.Equal(0, digests.Serialized);
    }

    [Fact]
    public void The_hash_taken_while_loading_gives_the_digest_that_reading_the_file_gives()
    {
        using var p = new StoriesCacheProject();
        var loaded = OnnxModel.Load(p.ModelPath);
        var fromBytes = OnnxModel.FromBytes(File.ReadAllBytes(p.ModelPath)); // no file hash: the file is read to key it
        var digests = new ModelDigests();

        digests.Loaded(loaded, [p.ModelPath]);
        digests.Loaded(fromBytes, [p.ModelPath]);

        Assert.Equal(digests.Of(fromBytes), digests.Of(loaded));

        // The hash describes the file as it was parsed: a file changed since is read again for another model, never
        // confused with the one loaded before.
        p.ScaleLayerWeight(StoriesCacheProject.LateLayer, 1.01f);
        var stale = OnnxModel.FromBytes(File.ReadAllBytes(p.ModelPath));
        digests.Loaded(stale, [p.ModelPath]);
        Assert.NotEqual(digests.Of(loaded), digests.Of(stale));
    }
}
