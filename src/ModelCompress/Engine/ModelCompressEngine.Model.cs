using System.Diagnostics;
using ModelCompress.Calibration;
using ModelCompress.Diagnostics;
using ModelCompress.Execution;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Passes;
using ModelCompress.Recipe;
using ModelCompress.Reports;
using ModelCompress.Verification;

namespace ModelCompress.Engine;

/// <summary>One model's run: load, steps, staged output, verification.</summary>
public static partial class ModelCompressEngine
{
    private sealed record ModelRun(ModelReport Report, ModelTimings Timings, bool? GatePassed, bool FailOnRegression)
    {
        /// <summary>The source model file and its external data files.</summary>
        public IReadOnlyList<string> SourceFiles { get; init; } = [];
    }

    private static ModelRun CompressModel(
        Recipe.Recipe recipe,
        ModelRecipe model,
        CompressOptions options,
        OutputTransaction outputs,
        PassRunner runner,
        ISet<string> inputs,
        RecordingSink sink,
        CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        options.Progress?.Invoke(new CompressProgress(model.Name, "load", 0, 0, Path.GetFileName(model.SourcePath)));
        var onnx = OnnxModel.Load(model.SourcePath);

        // The source as loaded, for verification (the steps edit `onnx` in place; tensors are shared, not copied).
        var reference = onnx.Clone();
        var sourceFiles = SourceFiles(onnx, model.SourcePath);
        runner.Session.ModelLoaded(onnx, sourceFiles);
        var sourceDigest = runner.Session.TrackedDigest(onnx);

        // tune: the steps are chosen first (trials, or the cached decision), then run as if the recipe listed them.
        TuneOutcome? tuning = null;
        if (model.Tune is not null && model.Verify is not null)
        {
            tuning = Tune(model, options, runner, reference, sourceFiles, onnx.LoadedFile, recipe.Cache.Enabled, sink, ct);
            model = tuning.Model;
            clock.Restart();
        }

        inputs.UnionWith(sourceFiles);
        inputs.UnionWith(ReferencedFiles(model));
        var loadMs = clock.Elapsed.TotalMilliseconds;

        List<StepReport> steps = [];
        List<double> stepMs = [];
        long outputBytes = 0;
        GateCandidate Build(ModelRecipe m, OnnxModel onnx, IDiagnosticSink into)
        {
            steps = [];
            stepMs = [];
            foreach (var step in m.Steps)
            {
                ct.ThrowIfCancellationRequested();
                clock.Restart();
                var pass = PassFactory.Create(step, m.Name, into, m.Steps, m.Calibration);
                var context = new PassContext(m.Name, step.Location, into);
                steps.Add(runner.Run(step, pass, onnx, context, options.Progress, (names, request) => Statistics(runner, m, step, onnx, names, request, options, ct), ct));
                stepMs.Add(clock.Elapsed.TotalMilliseconds);
            }

            ct.ThrowIfCancellationRequested();
            PackSparseWeights(m, onnx, into);
            options.Progress?.Invoke(new CompressProgress(m.Name, "write", 0, 0, m.OutputFileName));
            var outputPath = Path.Combine(options.OutputDirectory, m.OutputFileName);
            try
            {
                if (StreamedOutput.Applies(onnx, sourceFiles))
                {
                    var (staged, written) = StreamedOutput.Stage(outputs, outputPath, onnx);
                    outputBytes = written;
                    return new GateCandidate(onnx, staged);
                }

                var bytes = onnx.ToBytes();
                outputBytes = bytes.LongLength;
                return new GateCandidate(onnx, outputs.Stage(outputPath, bytes));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw EngineDiagnostics.Fail("MC3010", outputPath, outputPath, ex.Message);
            }
        }

        var built = Build(model, onnx, sink);

        // Sparse packing edits the model after the last step, outside the digest chain: such a model is measured.
        var builtDigest = model.Steps.OfType<PruneStep>().Any() ? null : runner.Session.TrackedDigest(onnx);
        clock.Restart();
        VerificationReport? verification = null;
        var fail = false;
        if (model.Verify is { } verify)
        {
            fail = options.FailOnRegression ?? verify.Severity == Onnx.Diagnostics.DiagnosticSeverity.Error;

            // on_regression: fallback compresses the source again with the worst layers kept in float; the steps'
            // warnings were reported by the first build already.
            GateCandidate Rebuild(IReadOnlyList<string> inFloat) =>
                Build(FallbackRecipe.WithFloatLayers(model, inFloat, verify.Location), OnnxModel.Load(model.SourcePath), new ErrorsOnlySink(sink));
            var segments = runner.Session.VerificationContext(model.Name);
            verification = VerifyModel(recipe, model, verify, (model.SourcePath, reference), built, Rebuild, fail, options, sink, ct, segments,
                outputs => GateMemo.For(runner.Session.Cache, runner.Session.EngineVersion, sourceDigest, builtDigest, verify, outputs,
                    (part, ms, stored) => runner.Session.RecordGate(model.Name, part, ms, stored)));
        }

        var tuningFailed = tuning is not null && TuningFailed(model, tuning, verification, sink);

        var sourceBytes = sourceFiles.Sum(f => new FileInfo(f).Length);
        var report = new ModelReport(
            model.Name,
            RelativeToRecipe(recipe, model.SourcePath),
            model.OutputFileName,
            sourceBytes,
            outputBytes,
            sourceBytes == 0 ? 0 : Math.Round((double)outputBytes / sourceBytes, 6),
            steps,
            verification) { Tuning = tuning?.Report };
        var timings = new ModelTimings(model.Name, loadMs, stepMs, clock.Elapsed.TotalMilliseconds) { Cache = runner.Session.TakeModelTimings(model.Name) };
        return new ModelRun(report, timings, tuningFailed ? false : verification?.Passed, fail || tuningFailed) { SourceFiles = sourceFiles };
    }

    /// <summary>
    /// A step's input statistics through the cache: one index entry for the step's whole calibration (read back when
    /// the model as it stands and the data are unchanged); otherwise collected — for a model cut into segments, with an
    /// entry per segment, so that a changed layer re-runs only the segments from it on.
    /// </summary>
    internal static IReadOnlyDictionary<string, LayerInputStatistics> Statistics(
        PassRunner runner, ModelRecipe m, StepRecipe step, OnnxModel onnx, IEnumerable<string> names, LayerStatisticsRequest request,
        CompressOptions options, CancellationToken ct) =>
        runner.Session.GetOrCollectStatistics(m, step, onnx, names, Collector(runner, m, step, onnx, request, options, ct), request);

    /// <summary>The step's own calibration of <paramref name="onnx"/> for <paramref name="request"/>, through the run's segment cache.</summary>
    internal static Func<IEnumerable<string>, IReadOnlyDictionary<string, LayerInputStatistics>> Collector(
        PassRunner runner, ModelRecipe m, StepRecipe step, OnnxModel onnx, LayerStatisticsRequest request, CompressOptions options, CancellationToken ct) =>
        n => CollectStatistics(m, step, onnx, n, options, ct, request, runner.Session.CalibrationContext(), runner.Session.RememberStatisticsHash);

    /// <summary>Input statistics for a pass that needs calibration; MC3016 when the recipe gives no calibration data.</summary>
    internal static IReadOnlyDictionary<string, LayerInputStatistics> CollectStatistics(
        ModelRecipe model, StepRecipe step, OnnxModel onnx, IEnumerable<string> values, CompressOptions options, CancellationToken ct,
        LayerStatisticsRequest? request = null,
        SegmentCacheContext? segments = null,
        Action<LayerInputStatistics, byte[]>? hashed = null)
    {
        if (model.Calibration is not { } calibration)
        {
            var at = step.Location;
            throw EngineDiagnostics.FailAt("MC3016", at.File, at.Line, at.Column, step.Kind, model.Name);
        }

        return ActivationStatisticsCollector.Collect(onnx, values, calibration, model.Name,
            (done, total) => options.Progress?.Invoke(new CompressProgress(model.Name, "calibrate", done, total)), ct, request,
            segments ?? SegmentCacheContext.None, hashed);
    }

    /// <summary>The model file and every external data file it references.</summary>
    private static List<string> SourceFiles(OnnxModel model, string path)
    {
        var files = new List<string> { Path.GetFullPath(path) };
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        foreach (var graph in model.Graph.AllGraphsRecursive())
        {
            foreach (var tensor in graph.Initializers.Values)
            {
                if (tensor.ExternalLocation is { } location)
                {
                    files.Add(Path.GetFullPath(Path.Combine(dir, location)));
                }
            }
        }

        return [.. files.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>Every other file the recipe names for this model (data, labels, tokenizers, teachers).</summary>
    private static IEnumerable<string> ReferencedFiles(ModelRecipe model)
    {
        IEnumerable<string?> files =
        [
            model.Calibration?.Data.Path, model.Calibration?.Data.TokenizerPath,
            model.Verify?.Data.Path, model.Verify?.Data.TokenizerPath, model.Verify?.LabelsPath,
            .. model.Steps.OfType<DistillStep>().Select(d => d.TeacherPath),
        ];
        return files.OfType<string>().Select(Path.GetFullPath);
    }

    private static string RelativeToRecipe(Recipe.Recipe recipe, string path) =>
        Path.GetRelativePath(Path.GetDirectoryName(recipe.RecipePath)!, path).Replace('\\', '/');
}
