using System.Security.Cryptography;
using System.Text;
using Microsoft.ML.OnnxRuntime;
using ModelCompress.Calibration;
using ModelCompress.Engine.Cache;
using ModelCompress.Engine.Segments;
using ModelCompress.Passes;

namespace ModelCompress.Engine.Calibration;

/// <summary>
/// Calibration as a segment consumer: folds each observed value into its statistics exactly as a whole-model run
/// does (<see cref="ActivationCalibrator"/>), and stores a segment's share as a calibration statistics payload
/// (<see cref="StatisticsCodec"/>), which reads back to the same bytes.
/// </summary>
internal sealed class StatisticsConsumer(IReadOnlyList<CalibrationRequest> requests, int sampleCount, LayerStatisticsRequest request) : ISegmentConsumer
{
    private readonly Dictionary<string, CalibrationRequest> _requests = requests.ToDictionary(r => r.Name, StringComparer.Ordinal);
    private readonly Dictionary<string, TensorStatistics> _folded = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LayerInputStatistics> _restored = new(StringComparer.Ordinal);

    /// <summary>Sees each statistics object with the SHA-256 of the bytes it was encoded to or decoded from; may be null.</summary>
    public Action<LayerInputStatistics, byte[]>? Hashed { get; init; }

    public byte[] Fingerprint { get; } = Encoding.UTF8.GetBytes($"calibration-statistics.v1|{request}|samples={sampleCount}");

    public void Observe(int sample, IReadOnlyList<string> names, IReadOnlyList<OrtValue> values)
    {
        for (var i = 0; i < names.Count; i++)
        {
            ActivationCalibrator.Fold(_folded, _requests[names[i]], values[i], sampleCount);
        }
    }

    public byte[] Encode(IReadOnlyList<string> names) =>
        StatisticsCodec.Encode(names.ToDictionary(n => n, Remember, StringComparer.Ordinal), (s, bytes) => Hashed?.Invoke(s, SHA256.HashData(bytes.Span)));

    public bool Restore(IReadOnlyList<string> names, byte[] payload)
    {
        var hashes = new List<(LayerInputStatistics, byte[])>();
        if (!StatisticsCodec.TryDecode(payload, out var decoded, (s, bytes) => hashes.Add((s, SHA256.HashData(bytes))))
            || decoded.Count != names.Count || !names.All(decoded.ContainsKey))
        {
            return false;
        }

        foreach (var (name, stats) in decoded)
        {
            _restored[name] = stats;
        }

        hashes.ForEach(h => Hashed?.Invoke(h.Item1, h.Item2));
        return true;
    }

    /// <summary>The statistics of <paramref name="name"/>, restored or folded (the same object on every call).</summary>
    public LayerInputStatistics Get(string name) =>
        _restored.TryGetValue(name, out var restored) ? restored : Remember(name);

    private LayerInputStatistics Remember(string name)
    {
        var stats = ToLayer(_folded[name], request);
        _restored[name] = stats;
        return stats;
    }

    /// <summary>The pass-facing form of folded statistics.</summary>
    public static LayerInputStatistics ToLayer(TensorStatistics stats, LayerStatisticsRequest request) =>
        new(stats.ChannelMin, stats.ChannelMax, stats.ChannelAbsMax, stats.Samples, stats.Histogram, request.CaptureRows > 0 ? stats.Rows : null);
}
