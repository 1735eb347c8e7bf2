using ModelCompress.Data;
using ModelCompress.Engine.Verification;
using ModelCompress.Onnx;
using ModelCompress.Passes;
using ModelCompress.Recipe;

namespace ModelCompress.Engine.Calibration;

/// <summary>
/// Runs a model in ONNX Runtime on calibration samples with chosen intermediate values exposed as extra graph outputs,
/// and streams per-channel statistics of each (channel = last axis, the axis a MatMul contracts with its weight):
/// running min, max and max |x|. Only one sample's activations are held at a time.
/// </summary>
public static class ActivationStatisticsCollector
{
    /// <summary>Collects statistics of <paramref name="values"/> on the calibration data of <paramref name="calibration"/>.</summary>
    /// <param name="model">The model as it stands (earlier steps applied); it is not changed.</param>
    /// <param name="values">The value names to observe (layer inputs).</param>
    /// <param name="calibration">The recipe's calibration data and sample count (the first samples are used).</param>
    /// <param name="modelName">The recipe's model name (for messages).</param>
    /// <param name="progress">Called after each sample with (done, total).</param>
    /// <param name="ct">Cancels between samples and inside ONNX Runtime.</param>
    public static IReadOnlyDictionary<string, LayerInputStatistics> Collect(
        OnnxModel model,
        IEnumerable<string> values,
        CalibrationSettings calibration,
        string modelName,
        Action<long, long>? progress,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(calibration);
        var names = values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var probe = model.Clone();
        foreach (var name in names)
        {
            probe.Graph.AddOutput(name);
        }

        using var runner = new OrtModelRunner(probe.ToBytes(), modelName);
        var samples = DataFileReader.ReadSamples(calibration.Data, runner.Inputs, calibration.Samples);
        var stats = new ChannelStats?[names.Count];
        for (long i = 0; i < samples.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var outputs = runner.Run(samples.GetSample(i), names, ct);
            for (var k = 0; k < names.Count; k++)
            {
                var (v, shape) = outputs[k];
                var channels = shape.Length == 0 ? 1 : (int)shape[^1];
                stats[k] ??= new ChannelStats(channels);
                stats[k]!.Add(v, channels, names[k]);
            }

            progress?.Invoke(i + 1, samples.Count);
        }

        var result = new Dictionary<string, LayerInputStatistics>(StringComparer.Ordinal);
        for (var k = 0; k < names.Count; k++)
        {
            var s = stats[k] ?? new ChannelStats(0);
            result[names[k]] = new LayerInputStatistics(s.Min, s.Max, s.AbsMax, samples.Count);
        }

        return result;
    }

    private sealed class ChannelStats(int channels)
    {
        public float[] Min { get; } = Enumerable.Repeat(float.PositiveInfinity, channels).ToArray();

        public float[] Max { get; } = Enumerable.Repeat(float.NegativeInfinity, channels).ToArray();

        public float[] AbsMax { get; } = new float[channels];

        public void Add(ReadOnlySpan<float> values, int channels, string name)
        {
            if (channels != Min.Length)
            {
                throw new InvalidOperationException($"'{name}' changed its channel count from {Min.Length} to {channels} between samples");
            }

            for (var i = 0; i < values.Length; i++)
            {
                var c = i % channels;
                var x = values[i];
                Min[c] = Math.Min(Min[c], x);
                Max[c] = Math.Max(Max[c], x);
                AbsMax[c] = Math.Max(AbsMax[c], Math.Abs(x));
            }
        }
    }
}
