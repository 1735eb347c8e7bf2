using Microsoft.ML.OnnxRuntime;
using ModelCompress.Calibration;
using ModelCompress.Diagnostics;
using ModelCompress.Execution;
using ModelCompress.Onnx;
using ModelCompress.Passes;
using ModelCompress.Quantization;
using ModelCompress.Recipe;

namespace ModelCompress.Execution;

/// <summary>
/// Runs a model in ONNX Runtime on calibration samples with chosen intermediate values exposed as extra graph outputs,
/// and streams per-channel statistics of each (channel = last axis, the axis a MatMul contracts with its weight):
/// running min, max and max |x|, and when asked a histogram and a bounded number of captured rows. A model light
/// enough runs whole, holding one sample's activations at a time (see <see cref="ActivationCalibrator"/>); a larger
/// one is cut into segments (<see cref="SegmentPlanner"/>) that run one after another over all samples, so that with
/// a cache a change to one layer re-runs only the segments from that layer on (<see cref="SegmentedRunner"/>).
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
    /// <param name="segments">The cache of a model cut into segments (null: none).</param>
    /// <param name="hashed">Sees each statistics object with the SHA-256 of its bytes where they were encoded or decoded anyway (for layer keys).</param>
    internal static IReadOnlyDictionary<string, LayerInputStatistics> Collect(
        OnnxModel model,
        IEnumerable<string> values,
        CalibrationSettings calibration,
        string modelName,
        Action<long, long>? progress,
        CancellationToken ct,
        LayerStatisticsRequest? request = null,
        SegmentCacheContext? segments = null,
        Action<LayerInputStatistics, byte[]>? hashed = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(calibration);

        // One calibration implementation for the engine and the passes: text windows and arrays alike
        // (ModelCompress.Calibration), one ONNX Runtime thread so the statistics are the same on every run.
        return Collect(model, values, CalibrationSources.Create(calibration, model), progress, ct, request, segments, hashed);
    }

    /// <summary>Collects statistics of <paramref name="values"/> on the samples of <paramref name="source"/> (the recipe's, or a test's own).</summary>
    internal static IReadOnlyDictionary<string, LayerInputStatistics> Collect(
        OnnxModel model,
        IEnumerable<string> values,
        ICalibrationSource source,
        Action<long, long>? progress,
        CancellationToken ct,
        LayerStatisticsRequest? request = null,
        SegmentCacheContext? segments = null,
        Action<LayerInputStatistics, byte[]>? hashed = null)
    {
        segments ??= SegmentCacheContext.None;
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(source);
        request ??= LayerStatisticsRequest.MinMax;
        var names = values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var requests = names.Select(n => new CalibrationRequest(n, -1, request.Histogram, request.CaptureRows, request.SumSquares, request.Hessian)
        {
            Patches = ConvPatches.TryResolve(model.Graph, n, out var patches) ? patches : null,
        }).ToList();

        // Conv patch views are folded from the Conv's input on a whole-model run: segments observe real values only.
        var plan = requests.Any(r => r.Patches is not null) ? null : SegmentPlanner.Plan(model, names, SegmentPolicy.Default);
        if (plan is null || !plan.IsSegmented || names.Count == 0)
        {
            var stats = ActivationCalibrator.Collect(model, requests, source, 1, ct, progress);
            return names.ToDictionary(n => n, n => StatisticsConsumer.ToLayer(stats[n], request), StringComparer.Ordinal);
        }

        if (source.Count <= 0)
        {
            throw EngineDiagnostics.Fail("MC3101", null, source.Description);
        }

        List<IReadOnlyDictionary<string, CarriedTensor>> samples = [.. source.Samples().Select(sample =>
            (IReadOnlyDictionary<string, CarriedTensor>)sample.ToDictionary(i => i.Name, i => CarriedTensor.From(i.Data, i.Shape), StringComparer.Ordinal))];
        var consumer = new StatisticsConsumer(requests, samples.Count, request, segments.Cache) { Hashed = hashed };
        var sessions = new SegmentSessions(
            bytes => ActivationCalibrator.OpenSession(bytes, 1),
            (e, where) => EngineDiagnostics.Fail("MC3102", model.FilePath, e, $"{where} of {source.Description}", e.Message),
            progress);
        segments.Run(plan, samples, consumer, sessions, ct);
        // A part read back lazily that turns out gone or damaged: calibrate the step again without reading anything back.
        return consumer.Result(names, () => Collect(model, names, source, progress, ct, request, SegmentCacheContext.None, hashed));
    }
}
