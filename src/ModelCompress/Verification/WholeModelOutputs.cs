using System.Diagnostics;
using System.Security.Cryptography;
using ModelCompress.Data;
using ModelCompress.Execution;
using ModelCompress.Onnx;

namespace ModelCompress.Verification;

/// <summary>
/// The verification outputs of a model run whole (one that is not cut into segments, e.g. mnist-8), through the run's
/// cache: the same entry a segmented model's last segment has (<see cref="OutputConsumer"/>'s payload under
/// <see cref="SegmentKeys.Result"/>), keyed by the model file's bytes and the samples. So a rebuild whose model did
/// not change (a no-op rebuild after tuning, a run whose thresholds alone changed) reads the outputs back instead of
/// opening ONNX Runtime. The read-back outputs are the float32 values ONNX Runtime gave, so the gate's metrics are
/// the same either way. A model with external data is always run (its file alone does not determine it).
/// </summary>
internal static class WholeModelOutputs
{
    private static readonly byte[] WholeDomain = "modelcompress.whole-model-file.v1"u8.ToArray();

    /// <summary>The named outputs for every sample, in <paramref name="names"/>' order.</summary>
    public static IReadOnlyList<IReadOnlyList<(float[] Values, long[] Shape)>> Get(
        string modelName, (string Path, OnnxModel Model) model, IReadOnlyList<string> names, SampleSet samples, Action<long, long>? progress,
        CancellationToken ct, SegmentCacheContext segments)
    {
        if (segments.Cache is not { } cache || HasExternalData(model.Model))
        {
            return Run(modelName, model.Path, names, samples, progress, ct);
        }

        var clock = Stopwatch.StartNew();
        var consumer = new OutputConsumer(modelName, (int)samples.Count);
        var chain = SegmentKeys.Chain(segments.KeyVersion, SegmentKeys.Samples(CarriedTensor.Samples(samples)), FileDigest(model.Path));
        var key = SegmentKeys.Result(chain, consumer, names);
        if (cache.TryGet(key) is { } entry && consumer.Restore(names, entry.Payload))
        {
            segments.Reported?.Invoke(new SegmentRunReport(1, 1, 0, -1) { Milliseconds = clock.Elapsed.TotalMilliseconds });
            return consumer.Outputs(names);
        }

        var outputs = Run(modelName, model.Path, names, samples, progress, ct);
        for (var i = 0; i < outputs.Count; i++)
        {
            consumer.Keep(i, names, outputs[i]);
        }

        cache.Put(key, consumer.Encode(names), clock.Elapsed.TotalMilliseconds);
        segments.Reported?.Invoke(new SegmentRunReport(1, 0, 1, -1) { Milliseconds = clock.Elapsed.TotalMilliseconds });
        return outputs;
    }

    private static List<IReadOnlyList<(float[] Values, long[] Shape)>> Run(
        string modelName, string path, IReadOnlyList<string> names, SampleSet samples, Action<long, long>? progress, CancellationToken ct)
    {
        using var runner = new OrtModelRunner(path, modelName);
        var outputs = new List<IReadOnlyList<(float[], long[])>>((int)samples.Count);
        for (long i = 0; i < samples.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            outputs.Add(runner.Run(samples.GetSample(i), names, ct));
            progress?.Invoke(i + 1, samples.Count);
        }

        return outputs;
    }

    private static bool HasExternalData(OnnxModel model) =>
        model.Graph.AllGraphsRecursive().Any(g => g.Initializers.Values.Any(t => t.ExternalLocation is not null));

    private static byte[] FileDigest(string path)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(WholeDomain);
        using (var stream = File.OpenRead(path))
        {
            hash.AppendData(SHA256.HashData(stream));
        }

        return hash.GetHashAndReset();
    }
}
