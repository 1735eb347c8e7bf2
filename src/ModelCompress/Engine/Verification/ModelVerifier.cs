using ModelCompress.Data;

namespace ModelCompress.Engine.Verification;

/// <summary>
/// Runs the fp32 model and the compressed model on the same verify samples in ONNX Runtime, end to end, and measures
/// how far the compressed outputs drift (<see cref="VerificationMetrics"/>).
/// </summary>
public static class ModelVerifier
{
    /// <summary>Compares <paramref name="compressedPath"/> with <paramref name="referencePath"/> on <paramref name="dataPath"/>.</summary>
    /// <param name="modelName">The recipe's model name (for messages).</param>
    /// <param name="referencePath">The fp32 model file.</param>
    /// <param name="compressedPath">The compressed model file.</param>
    /// <param name="dataPath">Verify inputs: .npz/.npy/IDX, first axis = samples.</param>
    /// <param name="labelsPath">Optional labels (one class index per prediction row) for accuracy.</param>
    /// <param name="maxSamples">Use at most this many samples.</param>
    /// <param name="progress">Called after each sample with (done, total).</param>
    /// <param name="ct">Cancels between samples and inside ONNX Runtime.</param>
    /// <param name="inputName">The input a single unnamed array (.npy, IDX) feeds; null for the model's first input.</param>
    /// <param name="format">The data format; null infers it from the file name.</param>
    public static VerificationMetrics Compare(
        string modelName,
        string referencePath,
        string compressedPath,
        string dataPath,
        string? labelsPath,
        long maxSamples,
        Action<long, long>? progress,
        CancellationToken ct,
        string? inputName = null,
        Recipe.DataFormat? format = null)
    {
        using var reference = new OrtModelRunner(referencePath, modelName);
        using var compressed = new OrtModelRunner(compressedPath, modelName);
        var samples = DataFileReader.ReadSamples(dataPath, reference.Inputs, maxSamples, inputName, format);
        var labels = labelsPath is null ? null : DataFileReader.ReadSingle(labelsPath).ToInt64Array();
        MetricAccumulator? metrics = null;
        for (long i = 0; i < samples.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var sample = samples.GetSample(i);
            var (r, shape) = reference.RunPrimary(sample, ct);
            var (c, _) = compressed.RunPrimary(sample, ct);
            var lastDim = shape.Length == 0 ? 1 : shape[^1];
            if (metrics is null)
            {
                var rowsPerSample = r.Length / Math.Max(1, lastDim);
                if (labels is not null && labels.LongLength < rowsPerSample * samples.Count)
                {
                    throw EngineErrors.Fail("MC5005", labelsPath, labelsPath, rowsPerSample * samples.Count, modelName, labels.LongLength);
                }

                metrics = new MetricAccumulator(reference.OutputNames[0], labels);
            }

            metrics.Add(r, c, lastDim);
            progress?.Invoke(i + 1, samples.Count);
        }

        return (metrics ?? new MetricAccumulator(reference.OutputNames[0], null)).Result();
    }
}
