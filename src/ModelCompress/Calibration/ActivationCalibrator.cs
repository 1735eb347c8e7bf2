using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelCompress.Diagnostics;
using ModelCompress.Onnx;
using ModelCompress.Quantization;

namespace ModelCompress.Calibration;

/// <summary>
/// Runs the float model in ONNX Runtime over calibration samples with the requested intermediate tensors exposed as
/// extra graph outputs (on a copy of the model, loaded from bytes), and streams their statistics: each sample's
/// outputs are folded into fixed-size per-channel maxima and histograms and then released, so memory does not grow
/// with the number of samples (captured rows are bounded by <see cref="CalibrationRequest.CaptureRows"/>).
/// </summary>
public static partial class ActivationCalibrator
{
    /// <summary>Collects statistics of <paramref name="requests"/> over every sample of <paramref name="source"/>.</summary>
    /// <param name="model">The float model (not modified).</param>
    /// <param name="requests">The tensors to observe.</param>
    /// <param name="source">The calibration samples.</param>
    /// <param name="threads">ONNX Runtime intra-op threads; 0 lets it choose.</param>
    /// <param name="ct">Cancels between samples.</param>
    /// <param name="progress">Called after each sample with (done, total).</param>
    public static IReadOnlyDictionary<string, TensorStatistics> Collect(
        OnnxModel model, IReadOnlyList<CalibrationRequest> requests, ICalibrationSource source, int threads, CancellationToken ct,
        Action<long, long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(source);
        var result = new Dictionary<string, TensorStatistics>(StringComparer.Ordinal);
        if (requests.Count == 0)
        {
            return result;
        }

        if (source.Count <= 0)
        {
            throw EngineDiagnostics.Fail("MC3101", null, source.Description);
        }

        // A Conv's patch view reads the Conv's input: ONNX Runtime exposes each tensor once, however many views read it.
        var names = requests.Select(r => r.Source).Distinct(StringComparer.Ordinal).ToList();
        using var session = CreateSession(model, names, threads);
        var unique = requests.GroupBy(r => r.Name, StringComparer.Ordinal).Select(g => (Request: g.First(), Output: names.IndexOf(g.First().Source))).ToList();
        var sampleIndex = 0;
        foreach (var sample in source.Samples())
        {
            ct.ThrowIfCancellationRequested();
            using var outputs = Run(session, sample, names, source, sampleIndex);
            foreach (var (request, output) in unique)
            {
                if (request.Patches is { } patches)
                {
                    FoldPatches(result, request, patches, outputs[output], source.Count);
                }
                else
                {
                    Fold(result, request, outputs[output], source.Count);
                }
            }

            sampleIndex++;
            progress?.Invoke(sampleIndex, source.Count);
        }

        return result;
    }

    /// <summary>An ONNX Runtime session over a copy of <paramref name="model"/> whose outputs are <paramref name="outputs"/>.</summary>
    internal static InferenceSession CreateSession(OnnxModel model, IReadOnlyList<string> outputs, int threads)
    {
        var copy = model.Clone();
        foreach (var name in outputs)
        {
            if (!copy.Graph.IsVisible(name))
            {
                throw EngineDiagnostics.Fail("MC3103", model.FilePath, name);
            }

            copy.Graph.AddOutput(name);
        }

        try
        {
            return OpenSession(copy.ToBytes(), threads);
        }
        catch (OnnxRuntimeException e)
        {
            throw EngineDiagnostics.Fail("MC3102", model.FilePath, e, "load", e.Message);
        }
    }

    /// <summary>A calibration session over model bytes: every graph optimization, <paramref name="threads"/> intra-op threads.</summary>
    internal static InferenceSession OpenSession(byte[] modelBytes, int threads)
    {
        using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
        options.GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL;
        return new InferenceSession(modelBytes, options);
    }

    /// <summary>Folds one sample's value of <paramref name="request"/> into <paramref name="result"/>.</summary>
    internal static void Fold(Dictionary<string, TensorStatistics> result, CalibrationRequest request, OrtValue value, int sampleCount)
    {
        var info = value.GetTensorTypeAndShape();
        if (info.ElementDataType != TensorElementType.Float)
        {
            throw EngineDiagnostics.Fail("MC3104", null, request.Name, info.ElementDataType);
        }

        var shape = info.Shape;
        var axis = request.ChannelAxis < 0 ? shape.Length + request.ChannelAxis : request.ChannelAxis;
        if (shape.Length == 0 || axis < 0 || axis >= shape.Length)
        {
            throw EngineDiagnostics.Fail("MC3105", null, request.Name, string.Join("x", shape), request.ChannelAxis);
        }

        var channels = (int)shape[axis];
        var inner = 1;
        for (var d = axis + 1; d < shape.Length; d++)
        {
            inner *= (int)shape[d];
        }

        if (!result.TryGetValue(request.Name, out var stats))
        {
            stats = new TensorStatistics(request, channels);
            result[request.Name] = stats;
        }
        else if (stats.Channels != channels)
        {
            throw EngineDiagnostics.Fail("MC3105", null, request.Name, string.Join("x", shape), request.ChannelAxis);
        }

        var data = value.GetTensorDataAsSpan<float>();
        if (data.Length == 0)
        {
            return;
        }

        stats.AddChannels(data, inner);
        if (request.CaptureRows > 0 && inner == 1)
        {
            stats.AddToHalf(data, inner, sampleCount);
        }

        stats.Samples++;
        if (stats.Hessian is { } hessian && inner == 1)
        {
            hessian.Add(data);
        }

        if (request.CaptureRows > 0 && inner == 1)
        {
            CaptureRows(stats, data, channels, request.CaptureRows, sampleCount);
        }
    }

    /// <summary>Keeps up to ⌈limit / samples⌉ rows of this sample, evenly spaced, until <paramref name="limit"/> rows are held.</summary>
    private static void CaptureRows(TensorStatistics stats, ReadOnlySpan<float> data, int channels, int limit, int sampleCount)
    {
        var rows = data.Length / channels;
        var perSample = Math.Min(rows, (limit + sampleCount - 1) / sampleCount);
        for (var j = 0; j < perSample && stats.RowCount < limit; j++)
        {
            var r = (int)(((2L * j) + 1) * rows / (2L * perSample));
            stats.CaptureRow(data.Slice(r * channels, channels));
        }
    }
}
