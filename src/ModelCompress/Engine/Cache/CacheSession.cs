using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Passes;
using ModelCompress.Recipe;
using ModelCompress.Reports;

namespace ModelCompress.Engine.Cache;

/// <summary>
/// One run's use of the cache: reads a layer's result or its step's calibration statistics back when the content key
/// matches, otherwise computes and stores them, and records every look-up (hit or miss, time, time saved) per model
/// for the report. Without a cache it just computes.
/// </summary>
internal sealed class CacheSession(ILayerCache? cache, string engineVersion, IDiagnosticSink? sink = null)
{
    private readonly Dictionary<string, List<CacheLookup>> _lookups = new(StringComparer.Ordinal);
    private readonly string _keyVersion = CacheIdentity.KeyVersion(engineVersion);
    private readonly ModelDigests _digests = new();

    // SHA-256 of each statistics object's canonical bytes, taken where the bytes exist anyway (encoding fresh statistics
    // for the cache, or reading them back), so layer keys never encode statistics a second time.
    private readonly ConditionalWeakTable<LayerInputStatistics, byte[]> _statisticsHashes = [];

    /// <summary>
    /// The version that enters every key: the engine version plus the identity of the build that computes the work
    /// (<see cref="CacheIdentity"/>).
    /// </summary>
    public string EngineVersion => _keyVersion;

    /// <summary>The cache, or null when the run has none.</summary>
    public ILayerCache? Cache => cache;

    /// <summary>Layer results read back in this run.</summary>
    public int Hits { get; private set; }

    /// <summary>Layer results computed in this run.</summary>
    public int Misses { get; private set; }

    /// <summary>Total time saved by hits (layers and calibration).</summary>
    public double SavedMilliseconds { get; private set; }

    /// <summary>The result of one layer's work: read back under <paramref name="key"/>, or computed and stored.</summary>
    public byte[] GetOrComputeLayer(string modelName, string step, string layerName, LayerWorkKey key, Func<byte[]> compute)
    {
        ArgumentNullException.ThrowIfNull(compute);
        if (cache is null)
        {
            Misses++;
            return compute();
        }

        var clock = Stopwatch.StartNew();
        var cacheKey = CacheKey.ForLayer(key);
        if (cache.TryGet(cacheKey) is { } entry)
        {
            Hits++;
            Record(modelName, step, "layer", layerName, clock.Elapsed.TotalMilliseconds, entry.ComputeMilliseconds);
            return entry.Payload;
        }

        var computeClock = Stopwatch.StartNew();
        var result = compute();
        var computeMs = computeClock.Elapsed.TotalMilliseconds;
        cache.Put(cacheKey, result, computeMs);
        Misses++;
        Record(modelName, step, "layer", layerName, clock.Elapsed.TotalMilliseconds, null);
        return result;
    }

    /// <summary>
    /// The input statistics of <paramref name="values"/> for a step: read back when the model as it stands, the
    /// calibration data and settings and the value names are unchanged, otherwise collected and stored. Without
    /// calibration settings the collector runs (and reports MC3016).
    /// </summary>
    public IReadOnlyDictionary<string, LayerInputStatistics> GetOrCollectStatistics(
        ModelRecipe model,
        StepRecipe step,
        OnnxModel onnx,
        IEnumerable<string> values,
        Func<IEnumerable<string>, IReadOnlyDictionary<string, LayerInputStatistics>> collect,
        LayerStatisticsRequest? request = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(collect);
        if (cache is null || model.Calibration is not { } calibration)
        {
            return collect(values);
        }

        var clock = Stopwatch.StartNew();
        var names = values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var key = CalibrationCacheKey.Compute(_digests.Of(onnx), calibration, names, _keyVersion, request);
        if (cache.TryGet(key) is { } entry)
        {
            var hashes = new List<(LayerInputStatistics Stats, byte[] Hash)>();
            if (StatisticsCodec.TryDecode(entry.Payload, out var cached, (s, bytes) => hashes.Add((s, SHA256.HashData(bytes))))
                && names.All(cached.ContainsKey))
            {
                hashes.ForEach(h => _statisticsHashes.AddOrUpdate(h.Stats, h.Hash));
                Record(model.Name, step.Kind, "calibration", null, clock.Elapsed.TotalMilliseconds, entry.ComputeMilliseconds);
                return cached;
            }

            // The checksum held, so this is an entry of another build that kept the engine version: never trusted.
            var path = (cache as DirectoryLayerCache)?.PathOf(key) ?? key.ToString();
            sink?.Report(EngineErrors.Catalog.Create("MC6001", DiagnosticSeverity.Warning, path, 0, 0, path, "its statistics do not decode"));
        }

        var computeClock = Stopwatch.StartNew();
        var statistics = collect(names);
        cache.Put(key, StatisticsCodec.Encode(statistics, (s, bytes) => _statisticsHashes.AddOrUpdate(s, SHA256.HashData(bytes.Span))), computeClock.Elapsed.TotalMilliseconds);
        Record(model.Name, step.Kind, "calibration", null, clock.Elapsed.TotalMilliseconds, null);
        return statistics;
    }

    /// <summary>
    /// Input statistics of a model cut into segments: the segments keep their own entries (results and activations),
    /// so no whole-model entry is written; the look-up counts as a hit when no segment had to run.
    /// <paramref name="collect"/> gets the segment context and where to report hashes of statistics it encoded or decoded.
    /// </summary>
    public IReadOnlyDictionary<string, LayerInputStatistics> CollectSegmented(
        string modelName, string step, Func<Segments.SegmentCacheContext, Action<LayerInputStatistics, byte[]>, IReadOnlyDictionary<string, LayerInputStatistics>> collect)
    {
        ArgumentNullException.ThrowIfNull(collect);
        var clock = Stopwatch.StartNew();
        Segments.SegmentRunReport? report = null;
        var statistics = collect(new Segments.SegmentCacheContext(cache, _keyVersion, r => report = r), (s, hash) => _statisticsHashes.AddOrUpdate(s, hash));
        Record(modelName, step, "calibration", null, clock.Elapsed.TotalMilliseconds, report is { Run: 0 } ? 0 : null, report);
        return statistics;
    }

    /// <summary>The segment context of <paramref name="modelName"/>'s verification: its runs are recorded as <c>verification</c> look-ups.</summary>
    public Segments.SegmentCacheContext VerificationContext(string modelName) =>
        new(cache, _keyVersion, cache is null ? null : r => Record(modelName, "verify", "verification", null, r.Milliseconds, r.Run == 0 ? 0 : null, r));

    /// <summary>The SHA-256 of <paramref name="statistics"/>' canonical bytes (of no bytes for null), for layer keys.</summary>
    public byte[] StatisticsHash(LayerInputStatistics? statistics) =>
        statistics is null ? SHA256.HashData([])
        : _statisticsHashes.TryGetValue(statistics, out var hash) ? hash
        : SHA256.HashData(statistics.ToBytes());

    /// <summary>How many times this run serialized a model to hash it for a calibration key.</summary>
    public int ModelsSerializedForKeys => _digests.Serialized;

    /// <summary>Records that <paramref name="model"/> was just loaded, unchanged, from <paramref name="files"/> (model file first).</summary>
    public void ModelLoaded(OnnxModel model, IReadOnlyList<string> files)
    {
        if (cache is not null)
        {
            _digests.Loaded(model, files);
        }
    }

    /// <summary>
    /// Records that <paramref name="pass"/> applied <paramref name="outcomes"/> to <paramref name="model"/>, so that
    /// the next calibration key of that model follows from the digest before the step without serializing it.
    /// </summary>
    public void StepApplied(OnnxModel model, ICompressionPass pass, IReadOnlyList<LayerOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(pass);
        if (cache is not null)
        {
            _digests.Applied(model, pass.Name, pass.SettingsFingerprint, _keyVersion, outcomes);
        }
    }

    /// <summary>The cache report of <paramref name="modelName"/> (null without a cache); its look-ups are then forgotten.</summary>
    public ModelCacheTimings? TakeModelTimings(string modelName)
    {
        if (cache is null)
        {
            return null;
        }

        var lookups = _lookups.Remove(modelName, out var list) ? list : [];
        static int Count(List<CacheLookup> l, string kind, bool hit) => l.Count(x => x.Kind == kind && x.Hit == hit);
        return new ModelCacheTimings(
            Count(lookups, "layer", true),
            Count(lookups, "layer", false),
            Count(lookups, "calibration", true),
            Count(lookups, "calibration", false),
            Math.Round(lookups.Sum(l => l.SavedMilliseconds), 3),
            lookups);
    }

    /// <summary>Records a look-up; <paramref name="storedComputeMs"/> is the hit's original cost, null for a miss.</summary>
    private void Record(string modelName, string step, string kind, string? layer, double elapsedMs, double? storedComputeMs, Segments.SegmentRunReport? segments = null)
    {
        var saved = storedComputeMs is { } stored ? Math.Max(0, stored - elapsedMs) : 0;
        SavedMilliseconds += saved;
        if (!_lookups.TryGetValue(modelName, out var list))
        {
            _lookups[modelName] = list = [];
        }

        list.Add(new CacheLookup(step, kind, layer, storedComputeMs is not null, Math.Round(elapsedMs, 3), Math.Round(saved, 3))
        {
            Segments = segments?.Segments,
            SegmentsRun = segments?.Run,
        });
    }
}
