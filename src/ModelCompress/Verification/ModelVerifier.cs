using ModelCompress.Calibration;
using ModelCompress.Data;
using ModelCompress.Diagnostics;
using ModelCompress.Execution;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Recipe;

namespace ModelCompress.Verification;

/// <summary>
/// Runs the fp32 model and the compressed model on the same verify samples in ONNX Runtime, end to end, and measures
/// how far the compressed outputs drift (<see cref="VerificationMetrics"/>): every graph output, or the ones the recipe
/// names in <c>outputs:</c>. The first compared output is the primary one: labels are matched against its rows, and on
/// text data it is taken as next-token logits and both models' perplexities are measured too.
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

    /// <summary>
    /// Compares two models in memory (their files named for whole-model runs) on a recipe data source; models that
    /// can be cut run segment by segment (<see cref="SegmentedRunner"/>) through <paramref name="segments"/>' cache.
    /// </summary>
    internal static VerificationMetrics Compare(
        string modelName,
        (string Path, OnnxModel Model) reference,
        (string Path, OnnxModel Model) compressed,
        DataSource data,
        string? labelsPath,
        long maxSamples,
        Action<long, long>? progress,
        CancellationToken ct,
        SegmentCacheContext segments,
        IReadOnlyList<string>? outputs = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Compare(modelName, reference, compressed, inputs => DataFileReader.ReadSamples(data, inputs, maxSamples),
            nextTokenTargets: data.Format == DataFormat.Text, labelsPath, progress, ct, segments, outputs);
    }

    /// <summary>
    /// The outputs to compare: those named (each must exist: MC5006 at <paramref name="at"/>), or every graph output
    /// whose element type is numeric.
    /// </summary>
    internal static IReadOnlyList<string> OutputsToCompare(string modelName, OnnxModel model, IReadOnlyList<string>? named, SourceLocation? at = null)
    {
        var graphOutputs = model.Graph.Outputs;
        if (named is { Count: > 0 })
        {
            foreach (var name in named)
            {
                if (!graphOutputs.Any(o => o.Name == name))
                {
                    throw EngineDiagnostics.FailAt("MC5006", at?.File, at?.Line ?? 0, at?.Column ?? 0,
                        modelName, name, string.Join(", ", graphOutputs.Select(o => o.Name)));
                }
            }

            return named;
        }

        // Outputs of other types (strings, booleans) carry no drift to measure; an undeclared type is tried.
        var numeric = graphOutputs.Where(o => IsComparable(o.ElementType)).Select(o => o.Name).ToList();
        return numeric.Count > 0 ? numeric : [graphOutputs[0].Name];
    }

    private static bool IsComparable(TensorDataType type) =>
        type is TensorDataType.Undefined or TensorDataType.Float or TensorDataType.Double or TensorDataType.Float16
            or TensorDataType.Int64 or TensorDataType.Int32;

    private static VerificationMetrics Compare(
        string modelName,
        string referencePath,
        string compressedPath,
        Func<IReadOnlyList<ModelInputInfo>, SampleSet> load,
        bool nextTokenTargets,
        string? labelsPath,
        Action<long, long>? progress,
        CancellationToken ct) =>
        Compare(modelName, (referencePath, Load(referencePath, modelName)), (compressedPath, Load(compressedPath, modelName)), load, nextTokenTargets,
            labelsPath, progress, ct, SegmentCacheContext.None, null);

    private static VerificationMetrics Compare(
        string modelName,
        (string Path, OnnxModel Model) reference,
        (string Path, OnnxModel Model) compressed,
        Func<IReadOnlyList<ModelInputInfo>, SampleSet> load,
        bool nextTokenTargets,
        string? labelsPath,
        Action<long, long>? progress,
        CancellationToken ct,
        SegmentCacheContext segments,
        IReadOnlyList<string>? outputs)
    {
        var names = OutputsToCompare(modelName, reference.Model, outputs);
        var samples = load(CalibrationSources.ModelInputs(reference.Model));
        var labels = labelsPath is null ? null : DataFileReader.ReadSingle(labelsPath).ToInt64Array();
        // Progress counts samples: halfway through them once the fp32 model has run, all of them once both have.
        var r = Outputs(modelName, reference, names, samples, (done, total) => progress?.Invoke(done / 2, total), ct, segments);
        var c = Outputs(modelName, compressed, names, samples, (done, total) => progress?.Invoke((total + done) / 2, total), ct, segments);
        var metrics = new MetricAccumulator?[names.Count];
        for (var i = 0; i < samples.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            for (var o = 0; o < names.Count; o++)
            {
                var (rv, shape) = r[i][o];
                var (cv, _) = c[i][o];
                var lastDim = shape.Length == 0 ? 1 : shape[^1];
                var primary = o == 0;
                if (metrics[o] is null)
                {
                    var rowsPerSample = rv.Length / Math.Max(1, lastDim);
                    if (primary && labels is not null && labels.LongLength < rowsPerSample * samples.Count)
                    {
                        throw EngineDiagnostics.Fail("MC5005", labelsPath, labelsPath, rowsPerSample * samples.Count, modelName, labels.LongLength);
                    }

                    metrics[o] = new MetricAccumulator(names[o], primary ? labels : null);
                }

                metrics[o]!.Add(rv, cv, lastDim);
                if (primary && nextTokenTargets)
                {
                    // The model's first input holds the window's token ids; position t predicts token t + 1.
                    metrics[o]!.AddNextTokenLoss(rv, cv, lastDim, ((long[])samples.GetSample(i)[0].Value.Data).AsSpan(1));
                }
            }
        }

        var results = names.Select((name, o) => (metrics[o] ?? new MetricAccumulator(name, null)).Result()).ToList();
        return results[0] with { OtherOutputs = results.Skip(1).ToList() };
    }

    /// <summary>The named outputs for every sample, in <paramref name="names"/>' order: whole in one session, or segment by segment.</summary>
    private static IReadOnlyList<IReadOnlyList<(float[] Values, long[] Shape)>> Outputs(
        string modelName, (string Path, OnnxModel Model) model, IReadOnlyList<string> names, SampleSet samples, Action<long, long>? progress,
        CancellationToken ct, SegmentCacheContext segments)
    {
        var plan = SegmentPlanner.Plan(model.Model, names, SegmentPolicy.Default);
        if (!plan.IsSegmented)
        {
            return WholeModelOutputs.Get(modelName, model, names, samples, progress, ct, segments);
        }

        var consumer = new OutputConsumer(modelName, (int)samples.Count);
        segments.Run(plan, CarriedTensor.Samples(samples), consumer, OrtModelRunner.SegmentSessions(modelName, progress), ct);
        return consumer.Outputs(names);
    }

    private static OnnxModel Load(string path, string modelName)
    {
        try
        {
            return OnnxModel.Load(path);
        }
        catch (Exception ex) when (ex is ModelCompressException or IOException or UnauthorizedAccessException or InvalidDataException)
        {
            // As when ONNX Runtime itself cannot load the file: the gate cannot run this model.
            throw EngineDiagnostics.Fail("MC5004", path, modelName, OrtModelRunner.OneLine(ex.Message));
        }
    }
}
