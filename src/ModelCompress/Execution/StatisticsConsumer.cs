using System.Security.Cryptography;
using System.Text;
using Microsoft.ML.OnnxRuntime;
using ModelCompress.Cache;
using ModelCompress.Calibration;
using ModelCompress.Execution;
using ModelCompress.Passes;

namespace ModelCompress.Execution;

/// <summary>
/// Calibration as a segment consumer: folds each observed value into its statistics exactly as a whole-model run
/// does (<see cref="ActivationCalibrator"/>). A segment's result is a statistics index (<see cref="StatisticsCodec"/>:
/// value name → SHA-256 of its statistics' bytes) whose parts are the content-addressed statistics parts the step's
/// whole-model index shares, so the values are stored once. A read-back segment costs its index only: its values'
/// statistics are read from their parts when a layer that misses asks for them.
/// </summary>
internal sealed class StatisticsConsumer(IReadOnlyList<CalibrationRequest> requests, int sampleCount, LayerStatisticsRequest request, ILayerCache? cache)
    : ISegmentConsumer
{
    private readonly Dictionary<string, CalibrationRequest> _requests = requests.ToDictionary(r => r.Name, StringComparer.Ordinal);
    private readonly Dictionary<string, TensorStatistics> _folded = new(StringComparer.Ordinal);
    // Statistics handed out so far (folded or read from a part), so every call gives the same object.
    private readonly Dictionary<string, LayerInputStatistics> _known = new(StringComparer.Ordinal);

    // SHA-256 of each value's statistics bytes: from a read-back segment's index, or taken when a segment was stored.
    private readonly Dictionary<string, byte[]> _hashes = new(StringComparer.Ordinal);

    /// <summary>Sees each statistics object with the SHA-256 of the bytes it was encoded to or decoded from; may be null.</summary>
    public Action<LayerInputStatistics, byte[]>? Hashed { get; init; }

    // v2: statistics with captured rows also hold per-half ranges (SampleHalves); the others are encoded as in v1.
    public byte[] Fingerprint { get; } = Encoding.UTF8.GetBytes($"calibration-statistics.v{(request.CaptureRows > 0 ? 2 : 1)}|{request}|samples={sampleCount}");

    public void Observe(int sample, IReadOnlyList<string> names, IReadOnlyList<OrtValue> values)
    {
        for (var i = 0; i < names.Count; i++)
        {
            ActivationCalibrator.Fold(_folded, _requests[names[i]], values[i], sampleCount);
        }
    }

    public byte[] Encode(IReadOnlyList<string> names)
    {
        var hashes = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var stats = Get(name);
            var bytes = stats.ToBytes();
            var hash = SHA256.HashData(bytes);
            Hashed?.Invoke(stats, hash);
            hashes[name] = hash;
            _hashes[name] = hash;
            var part = StatisticsCodec.PartKey(hash);
            if (cache is not null && !cache.Refresh(part))
            {
                cache.Put(part, bytes, 0);
            }
        }

        return StatisticsCodec.EncodeIndex(hashes);
    }

    public bool Restore(IReadOnlyList<string> names, byte[] payload)
    {
        // Only the index is read: the parts are read when a value's statistics are asked for (see Result).
        if (cache is null || !StatisticsCodec.TryDecodeIndex(payload, out var index) || index.Count != names.Count || !names.All(index.ContainsKey))
        {
            return false;
        }

        foreach (var (name, hash) in index)
        {
            _hashes[name] = hash;
        }

        return true;
    }

    /// <summary>
    /// The statistics of <paramref name="names"/>: without a read-back segment, the folded ones; otherwise a lazy
    /// dictionary (<see cref="CachedStatistics"/>) whose hashes are all known and whose read-back values are read from
    /// their parts only when asked for, with <paramref name="recollect"/> standing in when a part is gone or damaged.
    /// </summary>
    public IReadOnlyDictionary<string, LayerInputStatistics> Result(
        IReadOnlyList<string> names, Func<IReadOnlyDictionary<string, LayerInputStatistics>> recollect)
    {
        if (!names.Any(n => _hashes.ContainsKey(n) && !_known.ContainsKey(n)))
        {
            return names.ToDictionary(n => n, Get, StringComparer.Ordinal);
        }

        var byHash = new Dictionary<string, LayerInputStatistics>(StringComparer.Ordinal);
        foreach (var name in names.Where(_known.ContainsKey))
        {
            byHash[Convert.ToHexString(_hashes[name])] = _known[name];
        }

        return new CachedStatistics(
            names.ToDictionary(n => n, n => _hashes[n], StringComparer.Ordinal),
            hash => byHash.TryGetValue(Convert.ToHexString(hash), out var known) ? known : LoadPart(hash),
            recollect,
            s => SHA256.HashData(s.ToBytes()));
    }

    private LayerInputStatistics? LoadPart(byte[] hash)
    {
        if (cache?.TryGet(StatisticsCodec.PartKey(hash)) is not { } part || !StatisticsCodec.TryDecodePart(part.Payload, hash, out var stats))
        {
            return null;
        }

        Hashed?.Invoke(stats, hash);
        return stats;
    }

    /// <summary>The statistics of <paramref name="name"/>, folded or read back (the same object on every call).</summary>
    public LayerInputStatistics Get(string name)
    {
        if (!_known.TryGetValue(name, out var stats))
        {
            stats = _folded.TryGetValue(name, out var folded) ? ToLayer(folded, request)
                : LoadPart(_hashes[name]) ?? throw new InvalidDataException($"the cached statistics part of '{name}' is gone or damaged");
            _known[name] = stats;
        }

        return stats;
    }

    /// <summary>The pass-facing form of folded statistics.</summary>
    public static LayerInputStatistics ToLayer(TensorStatistics stats, LayerStatisticsRequest request) =>
        new(stats.ChannelMin, stats.ChannelMax, stats.ChannelAbsMax, stats.Samples, stats.Histogram, request.CaptureRows > 0 ? stats.Rows : null,
            request.SumSquares ? stats.ChannelSumSquares : null)
        {
            Hessian = request.Hessian ? stats.Hessian : null,
            Halves = request.CaptureRows > 0 ? stats.Halves : null,
            GroupHessians = request.Hessian ? stats.GroupHessians : null,
        };
}
