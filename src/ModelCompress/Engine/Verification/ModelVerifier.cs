using ModelCompress.Data;
using ModelCompress.Recipe;

namespace ModelCompress.Engine.Verification;

/// <summary>
/// Runs the fp32 model and the compressed model on the same verify samples in ONNX Runtime, end to end, and measures
/// how far the compressed outputs drift (<see cref="VerificationMetrics"/>). On text data the first output is taken as
/// next-token logits and both models' perplexities are measured too.
/// </summary>
public static class ModelVerifier
{
    /// <summary>Compares <paramref name="compressedPath"/> with <paramref name="referencePath"/> on an array file.</summary>
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
        DataFormat? format = null) =>
        Compare(modelName, referencePath, compressedPath, inputs => DataFileReader.ReadSamples(dataPath, inputs, maxSamples, inputName, format),
            nextTokenTargets: false, labelsPath, progress, ct);

    /// <summary>Compares the two models on a recipe data source (array files or text windows).</summary>
    public static VerificationMetrics Compare(
        string modelName,
        string referencePath,
        string compressedPath,
        DataSource data,
        string? labelsPath,
        long maxSamples,
        Action<long, long>? progress,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Compare(modelName, referencePath, compressedPath, inputs => DataFileReader.ReadSamples(data, inputs, maxSamples),
            nextTokenTargets: data.Format == DataFormat.Text, labelsPath, progress, ct);
    }

    private static VerificationMetrics Compare(
        string modelName,
        string referencePath,
        string compressedPath,
        Func<IReadOnlyList<ModelInputInfo>, SampleSet> load,
        bool nextTokenTargets,
        string? labelsPath,
        Action<long, long>? progress,
        CancellationToken ct)
    {
        using var reference = new OrtModelRunner(referencePath, modelName);
        using var compressed = new OrtModelRunner(compressedPath, modelName);
        var samples = load(reference.Inputs);
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
            if (nextTokenTargets)
            {
                // The model's first input holds the window's token ids; position t predicts token t + 1.
                metrics.AddNextTokenLoss(r, c, lastDim, ((long[])sample[0].Value.Data).AsSpan(1));
            }

            progress?.Invoke(i + 1, samples.Count);
        }

        return (metrics ?? new MetricAccumulator(reference.OutputNames[0], null)).Result();
    }
}
