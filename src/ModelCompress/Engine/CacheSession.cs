using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using ModelCompress.Cache;
using ModelCompress.Calibration;
using ModelCompress.Data;
using ModelCompress.Diagnostics;
using ModelCompress.Execution;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Passes;
using ModelCompress.Recipe;
using ModelCompress.Reports;

namespace ModelCompress.Engine;

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
    private FileDigestMemo? _files;

    // SHA-256 of each statistics object's canonical bytes, taken where the bytes exist anyway (encoding fresh statistics
    // for the cache, or reading them back), so layer keys never encode statistics a second time.
    private readonly ConditionalWeakTable<LayerInputStatistics, byte[]> _statisticsHashes = [];

    // What the segmented calibration run behind the current collection did (recorded with its look-up).
    private SegmentRunReport? _pendingSegments;

    // Parts found damaged in this run: written again on the next collection even if a file is in their place.
    private readonly HashSet<CacheKey> _damagedParts = [];

    /// <summary>
    /// The version that enters every key: the engine version plus the identity of the build that computes the work
    /// (<see cref="CacheIdentity"/>).
    /// </summary>
    public string EngineVersion => _keyVersion;

    /// <summary>The cache, or null when the run has none.</summary>
    public ILayerCache? Cache => cache;

    /// <summary>The local folder behind the cache (itself, or the one a remote cache reads through), if any.</summary>
    private DirectoryLayerCache? LocalFolder => cache as DirectoryLayerCache ?? (cache as RemoteLayerCache)?.Local;

    /// <summary>The local cache folder's root, if the run has one.</summary>
    public string? LocalRoot => LocalFolder?.Root;

    /// <summary>
    /// Digests of input files, remembered beside the local cache folder by file stamp so that a rerun with nothing
    /// changed does not read every data file and model again.
    /// </summary>
    public FileDigestMemo Files => _files ??= new FileDigestMemo(LocalFolder?.Root);

    /// <summary>Layer results read back in this run.</summary>
    public int Hits { get; private set; }

    /// <summary>Layer results computed in this run.</summary>
    public int Misses { get; private set; }

    /// <summary>Total time saved by hits (layers and calibration).</summary>
    public double SavedMilliseconds { get; private set; }

    /// <summary>The result of one layer's work: read back under <paramref name="key"/>, or computed and stored.</summary>
    public byte[] GetOrComputeLayer(string modelName, string step, string layerName, LayerWorkKey key, Func<byte[]> compute) =>
        TryGetLayer(modelName, step, layerName, key, out var result) ? result : ComputeLayer(modelName, step, layerName, key, compute);

    /// <summary>The stored result of one layer's work under <paramref name="key"/> (a hit is recorded); false without one.</summary>
    public bool TryGetLayer(string modelName, string step, string layerName, LayerWorkKey key, [NotNullWhen(true)] out byte[]? result)
    {
        result = null;
        if (cache is null)
        {
            return false;
        }

        var clock = Stopwatch.StartNew();
        if (cache.TryGet(CacheKey.ForLayer(key)) is not { } entry)
        {
            return false;
        }

        Hits++;
        Record(modelName, step, "layer", layerName, clock.Elapsed.TotalMilliseconds, entry.ComputeMilliseconds, remote: entry.Remote);
        result = entry.Payload;
        return true;
    }

    /// <summary>
    /// The stored result of one layer's work under <paramref name="key"/> left in the cache's file (a hit is recorded);
    /// false without one, or when the cache keeps no files to open (<see cref="TryGetLayer"/> then reads it).
    /// </summary>
    public bool TryOpenLayer(string modelName, string step, string layerName, LayerWorkKey key, [NotNullWhen(true)] out CachedPayload? result)
    {
        var clock = Stopwatch.StartNew();
        result = cache?.TryOpen(CacheKey.ForLayer(key));
        if (result is null)
        {
            return false;
        }

        Hits++;
        Record(modelName, step, "layer", layerName, clock.Elapsed.TotalMilliseconds, result.ComputeMilliseconds, remote: false);
        return true;
    }

    /// <summary>
    /// Computes one layer's work and stores it under <paramref name="key"/> (a miss is recorded, with
    /// <paramref name="spentMilliseconds"/> already spent on it, e.g. reading its input statistics).
    /// </summary>
    public byte[] ComputeLayer(string modelName, string step, string layerName, LayerWorkKey key, Func<byte[]> compute, double spentMilliseconds = 0)
    {
        ArgumentNullException.ThrowIfNull(compute);
        var clock = Stopwatch.StartNew();
        var result = compute();
        Misses++;
        if (cache is null)
        {
            return result;
        }

        cache.Put(CacheKey.ForLayer(key), result, clock.Elapsed.TotalMilliseconds);
        Record(modelName, step, "layer", layerName, spentMilliseconds + clock.Elapsed.TotalMilliseconds, null);
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
        return cache is null || model.Calibration is null ? collect(values) : Find(model, step, onnx, values, collect, request, collectOnMiss: true)!;
    }

    /// <summary>
    /// The statistics of <paramref name="values"/> for <paramref name="request"/> when this step's calibration of
    /// <paramref name="onnx"/> is in the cache (a hit, recorded as one); null otherwise, and nothing is collected.
    /// </summary>
    public IReadOnlyDictionary<string, LayerInputStatistics>? TryGetStatistics(
        ModelRecipe model,
        StepRecipe step,
        OnnxModel onnx,
        IEnumerable<string> values,
        Func<IEnumerable<string>, IReadOnlyDictionary<string, LayerInputStatistics>> collect,
        LayerStatisticsRequest? request = null) =>
        cache is null || model.Calibration is null ? null : Find(model, step, onnx, values, collect, request, collectOnMiss: false);

    /// <summary>
    /// The statistics under the step's calibration key (parts read when asked for; <paramref name="collect"/> stands in
    /// for a damaged one); on a miss, collected and stored, or null when <paramref name="collectOnMiss"/> is false.
    /// </summary>
    private IReadOnlyDictionary<string, LayerInputStatistics>? Find(
        ModelRecipe model,
        StepRecipe step,
        OnnxModel onnx,
        IEnumerable<string> values,
        Func<IEnumerable<string>, IReadOnlyDictionary<string, LayerInputStatistics>> collect,
        LayerStatisticsRequest? request,
        bool collectOnMiss)
    {
        var clock = Stopwatch.StartNew();
        var names = values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var key = CalibrationCacheKey.Compute(_digests.Of(onnx), model.Calibration!, names, _keyVersion, request, Files.Sha256);
        if (cache!.TryGet(key) is { } entry)
        {
            if (StatisticsCodec.TryDecodeIndex(entry.Payload, out var index) && names.All(index.ContainsKey))
            {
                // The parts are used whenever their index is: keep them as recently used, so eviction takes them together.
                foreach (var hash in index.Values)
                {
                    cache.Refresh(StatisticsCodec.PartKey(hash));
                }

                Record(model.Name, step.Kind, "calibration", null, clock.Elapsed.TotalMilliseconds, entry.ComputeMilliseconds, remote: entry.Remote);
                return new CachedStatistics(index, LoadPart, () => CollectAndStore(model.Name, step.Kind, key, names, collect, Stopwatch.StartNew()), StatisticsHash);
            }

            // The checksum held, so this is an entry of another build that kept the engine version: never trusted.
            ReportDamaged(key, "its statistics index does not decode");
        }

        return collectOnMiss ? CollectAndStore(model.Name, step.Kind, key, names, collect, clock) : null;
    }

    /// <summary>
    /// Collects the statistics of <paramref name="names"/> and stores them: each value's statistics as a part under
    /// its content hash (not written again when already there), then the index under <paramref name="key"/>.
    /// </summary>
    private IReadOnlyDictionary<string, LayerInputStatistics> CollectAndStore(
        string modelName,
        string step,
        CacheKey key,
        List<string> names,
        Func<IEnumerable<string>, IReadOnlyDictionary<string, LayerInputStatistics>> collect,
        Stopwatch clock)
    {
        var computeClock = Stopwatch.StartNew();
        var statistics = collect(names);
        var computeMs = computeClock.Elapsed.TotalMilliseconds;
        var hashes = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in statistics.Keys)
        {
            // Statistics read back from segment entries come with their hash (a lazy dictionary has them all), and
            // their part is there already: read and encoded only when the part has to be written.
            byte[]? bytes = null;
            byte[] hash;
            if (statistics is CachedStatistics lazy)
            {
                hash = lazy.HashOf(name);
            }
            else if (!_statisticsHashes.TryGetValue(statistics[name], out hash!))
            {
                bytes = statistics[name].ToBytes();
                hash = SHA256.HashData(bytes);
                _statisticsHashes.AddOrUpdate(statistics[name], hash);
            }

            hashes[name] = hash;
            var partKey = StatisticsCodec.PartKey(hash);
            if (_damagedParts.Contains(partKey) || !cache!.Refresh(partKey))
            {
                cache!.Put(partKey, bytes ?? statistics[name].ToBytes(), 0);
            }
        }

        // Parts first: an index is never there before the parts it lists.
        cache!.Put(key, StatisticsCodec.EncodeIndex(hashes), computeMs);
        Record(modelName, step, "calibration", null, clock.Elapsed.TotalMilliseconds, null, _pendingSegments);
        _pendingSegments = null;
        return statistics;
    }

    /// <summary>
    /// The segment context of a step's calibration: what its segmented run did is recorded with the step's
    /// calibration look-up.
    /// </summary>
    public SegmentCacheContext CalibrationContext() => new(cache, _keyVersion, cache is null ? null : r => _pendingSegments = r);

    /// <summary>
    /// <see cref="CalibrationContext"/> that keeps nothing: the segments run in memory, and what they did is recorded
    /// with the next statistics stored (a tuning run's union pass, whose candidates store their own statistics).
    /// </summary>
    public SegmentCacheContext UnstoredCalibrationContext() => new(null, _keyVersion, cache is null ? null : r => _pendingSegments = r);

    /// <summary>Remembers the SHA-256 of <paramref name="statistics"/>' bytes, taken where they were encoded or decoded anyway.</summary>
    public void RememberStatisticsHash(LayerInputStatistics statistics, byte[] hash) => _statisticsHashes.AddOrUpdate(statistics, hash);

    /// <summary>The segment context of <paramref name="modelName"/>'s verification: its runs are recorded as <c>verification</c> look-ups.</summary>
    public SegmentCacheContext VerificationContext(string modelName) =>
        new(cache, _keyVersion, cache is null ? null : r => Record(modelName, "verify", "verification", null, r.Milliseconds, r.Run == 0 ? 0 : null, r));

    /// <summary>
    /// The statistics stored as the part for <paramref name="hash"/>, checked against it; null when the part is gone
    /// (evicted) or damaged (MC6001: reported, deleted, and never used).
    /// </summary>
    private LayerInputStatistics? LoadPart(byte[] hash)
    {
        var partKey = StatisticsCodec.PartKey(hash);
        if (cache?.TryGet(partKey) is not { } entry)
        {
            return null;
        }

        if (!StatisticsCodec.TryDecodePart(entry.Payload, hash, out var statistics))
        {
            _damagedParts.Add(partKey);
            ReportDamaged(partKey, "its statistics do not match their index");
            if (LocalFolder is { } directory)
            {
                AtomicFile.TryDelete(directory.PathOf(partKey));
            }

            return null;
        }

        _statisticsHashes.AddOrUpdate(statistics, hash);
        return statistics;
    }

    private void ReportDamaged(CacheKey key, string problem)
    {
        var path = LocalFolder?.PathOf(key) ?? key.ToString();
        sink?.Report(EngineDiagnostics.Catalog.Create("MC6001", DiagnosticSeverity.Warning, path, 0, 0, path, problem));
    }

    /// <summary>
    /// The SHA-256 of the statistics of <paramref name="name"/> in <paramref name="statistics"/> (of no bytes when there
    /// are none), for layer keys; statistics read back from the cache give it without being read.
    /// </summary>
    public byte[] StatisticsHash(IReadOnlyDictionary<string, LayerInputStatistics>? statistics, string name) =>
        statistics switch
        {
            null => SHA256.HashData([]),
            CachedStatistics cached => cached.HashOf(name),
            _ => StatisticsHash(statistics[name]),
        };

    /// <summary>The SHA-256 of <paramref name="statistics"/>' canonical bytes (of no bytes for null), for layer keys.</summary>
    public byte[] StatisticsHash(LayerInputStatistics? statistics) =>
        statistics is null ? SHA256.HashData([])
        : _statisticsHashes.TryGetValue(statistics, out var hash) ? hash
        : SHA256.HashData(statistics.ToBytes());

    /// <summary>Calibration statistics read back from the cache in this run (tuning trials share them).</summary>
    public int StatisticsHits { get; private set; }

    /// <summary>Calibration statistics collected in this run.</summary>
    public int StatisticsMisses { get; private set; }

    /// <summary>How many times this run serialized a model to hash it for a calibration key.</summary>
    public int ModelsSerializedForKeys => _digests.Serialized;

    /// <summary>Records that <paramref name="model"/> was just loaded, unchanged, from <paramref name="files"/> (model file first).</summary>
    public void ModelLoaded(OnnxModel model, IReadOnlyList<string> files)
    {
        if (cache is not null)
        {
            _digests.Loaded(model, files, Files.Sha256);
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
            _digests.Applied(model, pass.Name, pass.SettingsFingerprint, _keyVersion, [.. outcomes.Select(o => (o.Key.Hex, o.ResultHash))]);
        }
    }

    /// <summary>The digest of <paramref name="model"/> as it stands when the run follows it (a cache is set), else null.</summary>
    public byte[]? TrackedDigest(OnnxModel model) => cache is null ? null : _digests.Tracked(model);

    /// <summary>
    /// Records a look-up of the gate's measurements (<see cref="GateMemo"/>): kind <c>gate</c>, the part (<c>metrics</c> or
    /// <c>layers</c>) as the layer; <paramref name="storedComputeMs"/> is the hit's original cost, null for a miss.
    /// </summary>
    public void RecordGate(string modelName, string part, double elapsedMs, double? storedComputeMs) =>
        Record(modelName, "verify", "gate", part, elapsedMs, storedComputeMs);

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
            lookups)
        {
            RemoteHits = cache is RemoteLayerCache ? lookups.Count(l => l.Remote == true) : null,
        };
    }

    /// <summary>Records a look-up; <paramref name="storedComputeMs"/> is the hit's original cost, null for a miss.</summary>
    private void Record(string modelName, string step, string kind, string? layer, double elapsedMs, double? storedComputeMs, SegmentRunReport? segments = null, bool remote = false)
    {
        var saved = storedComputeMs is { } stored ? Math.Max(0, stored - elapsedMs) : 0;
        SavedMilliseconds += saved;
        if (kind == "calibration")
        {
            _ = storedComputeMs is null ? StatisticsMisses++ : StatisticsHits++;
        }

        if (!_lookups.TryGetValue(modelName, out var list))
        {
            _lookups[modelName] = list = [];
        }

        list.Add(new CacheLookup(step, kind, layer, storedComputeMs is not null, Math.Round(elapsedMs, 3), Math.Round(saved, 3))
        {
            Segments = segments?.Segments,
            SegmentsRun = segments?.Run,
            Remote = remote ? true : null,
        });
    }
}
