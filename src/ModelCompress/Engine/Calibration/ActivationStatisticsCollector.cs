using ModelCompress.Calibration;
using ModelCompress.Onnx;
using ModelCompress.Passes;
using ModelCompress.Recipe;

namespace ModelCompress.Engine.Calibration;

/// <summary>
/// Runs a model in ONNX Runtime on calibration samples with chosen intermediate values exposed as extra graph outputs,
/// and streams per-channel statistics of each (channel = last axis, the axis a MatMul contracts with its weight):
/// running min, max and max |x|, and when asked a histogram and a bounded number of captured rows. Only one sample's
/// activations are held at a time (see <see cref="ActivationCalibrator"/>).
/// </summary>
public static class ActivationStatisticsCollector
{
    /// <summary>Collects statistics of <paramref name="values"/> on the calibration data of <paramref name="calibration"/>.</summary>
    /// <param name="model">The model as it stands (earlier steps applied); it is not changed.</param>
    /// <param name="values">The value names to observe (layer inputs).</param>
    /// <param name="calibration">The recipe's calibration data and sample count.</param>
    /// <param name="modelName">The recipe's model name (for messages).</param>
    /// <param name="progress">Called after each sample with (done, total).</param>
    /// <param name="ct">Cancels between samples and inside ONNX Runtime.</param>
    /// <param name="request">What to gather besides the ranges; null for ranges only.</param>
    public static IReadOnlyDictionary<string, LayerInputStatistics> Collect(
        OnnxModel model,
        IEnumerable<string> values,
        CalibrationSettings calibration,
        string modelName,
        Action<long, long>? progress,
        CancellationToken ct,
        LayerStatisticsRequest? request = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(calibration);
        request ??= LayerStatisticsRequest.MinMax;

        // One calibration implementation for the engine and the passes: text windows and arrays alike
        // (ModelCompress.Calibration), one ONNX Runtime thread so the statistics are the same on every run.
        var names = values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var source = CalibrationSources.Create(calibration, model);
        var requests = names.Select(n => new CalibrationRequest(n, -1, request.Histogram, request.CaptureRows)).ToList();
        var stats = ActivationCalibrator.Collect(model, requests, source, 1, ct, progress);
        return names.ToDictionary(
            n => n,
            n => new LayerInputStatistics(stats[n].ChannelMin, stats[n].ChannelMax, stats[n].ChannelAbsMax, stats[n].Samples,
                stats[n].Histogram, request.CaptureRows > 0 ? stats[n].Rows : null),
            StringComparer.Ordinal);
    }
}
