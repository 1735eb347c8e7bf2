using System.Globalization;
using System.Text.Json;
using ModelCompress.Cache;
using ModelCompress.Recipe;
using ModelCompress.Verification;

namespace ModelCompress.Engine;

/// <summary>
/// The gate's measurements of a compressed model, kept in the cache so that a rebuild whose every layer was a cache
/// hit neither runs the compressed model in ONNX Runtime again (which reads the whole written output back) nor
/// recomputes the per-layer error table. What the gate measures is a deterministic function of the fp32 model, the
/// compressed model and the verify data: the key is SHA-256 over the digests of both models (<see cref="ModelDigests"/>:
/// the source files, then every step's pass, settings and layer keys and results), the verify data's settings and
/// file contents, the labels and the outputs compared. The verdict is judged again on every run, so a changed
/// threshold never reads back a stale pass or fail. A measurement that does not decode is ignored and measured again.
/// </summary>
internal sealed class GateMemo
{
    // The tune decisions' JSON form: snake case, with +∞ (an equal output's SNR) written as a named literal.
    private static readonly JsonSerializerOptions Json = TuneDecisionStore.Json;

    private readonly ILayerCache _cache;
    private readonly CacheKey _key;
    private readonly Action<string, double, double?>? _record;

    private GateMemo(ILayerCache cache, CacheKey key, Action<string, double, double?>? record)
    {
        _cache = cache;
        _key = key;
        _record = record;
    }

    /// <summary>
    /// The memo for one gate, or null when a model's digest is not known (no cache, or an edit the digests do not
    /// follow): then the gate measures as before.
    /// </summary>
    public static GateMemo? For(
        ILayerCache? cache, string keyVersion, byte[]? referenceDigest, byte[]? compressedDigest, VerifySettings verify, IReadOnlyList<string> outputs,
        Action<string, double, double?>? record = null)
    {
        if (cache is null || referenceDigest is null || compressedDigest is null)
        {
            return null;
        }

        var d = verify.Data;
        var key = MemoKey.Of(
            "modelcompress.gate-measurements.v1",
            MemoKey.Text(keyVersion),
            referenceDigest,
            compressedDigest,
            MemoKey.Text(string.Create(CultureInfo.InvariantCulture,
                $"samples={verify.Samples}|format={d.Format}|tokenizer={d.Tokenizer}|seq_len={d.SeqLen}|input={d.Input}|outputs={string.Join(',', outputs)}")),
            CalibrationCacheKey.FileHash(d.Path),
            d.TokenizerPath is { } tokenizer ? CalibrationCacheKey.FileHash(tokenizer) : [],
            verify.LabelsPath is { } labels ? CalibrationCacheKey.FileHash(labels) : []);
        return new GateMemo(cache, key, record);
    }

    /// <summary>The end-to-end metrics: read back, or measured by <paramref name="measure"/> and stored.</summary>
    public VerificationMetrics Metrics(Func<VerificationMetrics> measure) => GetOrMeasure("metrics", measure);

    /// <summary>The per-layer error table: read back, or measured by <paramref name="measure"/> and stored.</summary>
    public IReadOnlyList<LayerError> Layers(Func<IReadOnlyList<LayerError>> measure) =>
        GetOrMeasure<List<LayerError>>("layers", () => [.. measure()]);

    private T GetOrMeasure<T>(string part, Func<T> measure)
        where T : class
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var key = MemoKey.Of("modelcompress.gate-measurement.v1", _key.ToBytes(), MemoKey.Text(part));
        if (_cache.TryGet(key) is { } entry && TryDecode<T>(entry.Payload) is { } stored)
        {
            _record?.Invoke(part, clock.Elapsed.TotalMilliseconds, entry.ComputeMilliseconds);
            return stored;
        }

        var measured = measure();
        _cache.Put(key, JsonSerializer.SerializeToUtf8Bytes(measured, Json), clock.Elapsed.TotalMilliseconds);
        _record?.Invoke(part, clock.Elapsed.TotalMilliseconds, null);
        return measured;
    }

    private static T? TryDecode<T>(byte[] payload)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(payload, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
