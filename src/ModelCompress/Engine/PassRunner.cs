using ModelCompress.Cache;
using ModelCompress.Calibration;
using ModelCompress.Execution;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Passes;
using ModelCompress.Recipe;
using ModelCompress.Reports;

namespace ModelCompress.Engine;

/// <summary>
/// Runs one pass over a model layer by layer: finds the layers, collects their input statistics when the pass needs
/// calibration, computes each layer's <see cref="LayerWorkKey"/>, takes the result from the cache or computes and
/// stores it, then lets the pass apply all results to the graph.
/// </summary>
internal sealed class PassRunner(CacheSession session)
{
    private readonly GarbageBudget _garbage = new();

    public PassRunner(ILayerCache? cache, string engineVersion)
        : this(new CacheSession(cache, engineVersion))
    {
    }

    /// <summary>
    /// At most this many results of one step are left open in the cache's files (one file handle each; the system's
    /// limit on open files is in the thousands): the rest are copied into the spill file as before.
    /// </summary>
    private const int MaxOpenedResults = 1024;

    /// <summary>The run's cache use (hits, misses, time saved, per-model look-ups).</summary>
    public CacheSession Session => session;

    public int CacheHits => session.Hits;

    public int CacheMisses => session.Misses;

    /// <summary>Layers whose weight hash was read back for their model's digest instead of being computed from the weights.</summary>
    public int KnownWeightHashes { get; private set; }

    public StepReport Run(
        StepRecipe step,
        ICompressionPass pass,
        OnnxModel model,
        PassContext context,
        Action<CompressProgress>? progress,
        Func<IEnumerable<string>, IReadOnlyDictionary<string, LayerInputStatistics>> collectStatistics,
        CancellationToken ct) =>
        Run(step, pass, model, context, progress, (names, _) => collectStatistics(names), ct);

    /// <summary>Runs <paramref name="pass"/>; <paramref name="collectStatistics"/> gathers what the pass's <see cref="ICompressionPass.StatisticsRequest"/> asks for.</summary>
    public StepReport Run(
        StepRecipe step,
        ICompressionPass pass,
        OnnxModel model,
        PassContext context,
        Action<CompressProgress>? progress,
        Func<IEnumerable<string>, LayerStatisticsRequest, IReadOnlyDictionary<string, LayerInputStatistics>> collectStatistics,
        CancellationToken ct)
    {
        var layers = pass.FindLayers(model, context);
        if (layers.Count == 0)
        {
            context.Report("MC3007", DiagnosticSeverity.Warning, context.ModelName, step.Kind);
        }

        // The hashes stored for this model as it stands are taken instead of reading every weight again.
        var digestBefore = session.TrackedDigest(model);
        var (storeHashes, restored) = WeightHashMemo.Restore(session.Cache, digestBefore, session.EngineVersion, pass, layers);
        KnownWeightHashes += restored ? layers.Count : 0;
        HashWeights(layers, ct);
        if (storeHashes is { } hashesKey)
        {
            WeightHashMemo.Store(session.Cache!, hashesKey, layers);
        }

        // Statistics are gathered on the model as it stands now, after the earlier steps changed it.
        var ranged = pass as IOutputRangePass;
        var statistics = pass.RequiresCalibration && layers.Count > 0
            ? collectStatistics(layers.Select(l => l.ActivationName).Concat(ranged?.RangeValues ?? []), pass.StatisticsRequest)
            : null;
        if (statistics is not null)
        {
            ranged?.TakeRanges(statistics);
        }

        var outcomes = new List<LayerOutcome>(layers.Count);
        var spill = SpillFor(pass, layers);
        var release = pass is IWeightStreamingPass || (pass is IWeightReleasingPass && model.Graph.Initializers.Values.Any(t => !t.IsDataInMemory));
        var openedCount = 0;
        for (var i = 0; i < layers.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var layer = layers[i];
            var (key, result, opened) = RunLayer(step, pass, layer, statistics, context, spill is not null && openedCount < MaxOpenedResults, ct);
            openedCount += opened is null ? 0 : 1;
            outcomes.Add(opened is not null ? LayerOutcome.Opened(layer, key, opened, spill)
                : spill is null ? new LayerOutcome(layer, key, result!) : LayerOutcome.Spilled(layer, key, result!, spill));
            (pass as ISequentialPass)?.LayerDone(outcomes[^1]);
            if (release)
            {
                layer.ReleaseWeights();
                _garbage.Tick();
            }

            progress?.Invoke(new CompressProgress(context.ModelName, step.Kind, i + 1, layers.Count, layer.Name));
        }

        ct.ThrowIfCancellationRequested();

        // A streaming pass's report reads every weight again for its error column, unless the errors of these very
        // layers were stored: then the float weights are not read at all on a rebuild from the cache.
        var errorsKey = pass is IWeightStreamingPass && session.Cache is not null ? WeightErrorMemo.KeyOf(pass, outcomes) : (CacheKey?)null;
        var knownErrors = errorsKey is { } ek ? WeightErrorMemo.Restore(session.Cache!, ek) : null;
        var applyContext = context with
        {
            KnownWeightErrors = knownErrors ?? context.KnownWeightErrors,
            ModelDerived = context.ModelDerived ?? ModelDerivedMemo.For(session.Cache, digestBefore, pass, session.EngineVersion),
        };
        var rows = pass.Apply(model, outcomes, applyContext);
        if (release)
        {
            // What Apply read (plans, tables) is garbage now: returned before the model is written and verified.
            _garbage.Tick();
        }

        if (errorsKey is { } storeKey && knownErrors is null)
        {
            WeightErrorMemo.Store(session.Cache!, storeKey, rows);
        }

        session.StepApplied(model, pass, outcomes);
        return new StepReport(step.Kind, pass.Name, pass.SettingsFingerprint, rows);
    }

    /// <summary>
    /// Where a streaming pass keeps its results until the model is written: a spill file when the model's weights lie
    /// in external data (a model too large to be held whole; its results would be a quarter of its weights at int8),
    /// else nowhere (memory). The pass puts the tensors it makes from them there too; the file goes when they do. A
    /// releasing pass's layers spill when their weights are not in memory (external data, or lazily smoothed).
    /// </summary>
    private static SpillFile? SpillFor(ICompressionPass pass, IReadOnlyList<PassLayer> layers) =>
        (pass is IWeightStreamingPass && layers.Any(l => l.Layer?.Weight.IsExternal == true))
        || (pass is IWeightReleasingPass && layers.Any(l => l.Layer?.Weight.IsDataInMemory == false)) ? SpillFile.Create() : null;

    /// <summary>
    /// Hashes every layer's weights for its key, on all cores: in a run whose results come from the cache this is most
    /// of a step's work, and layers are independent (their tensors are immutable). A failure surfaces as itself.
    /// </summary>
    private static void HashWeights(IReadOnlyList<PassLayer> layers, CancellationToken ct)
    {
        try
        {
            Parallel.ForEach(layers, new ParallelOptions { CancellationToken = ct }, layer => _ = layer.WeightHash);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
    }

    /// <summary>
    /// One layer's key and result. The key needs only the hash of the layer's input statistics, which statistics read
    /// back from the cache give without being decoded; they are read only when the result must be computed. Should
    /// that read find the statistics damaged and calibrate again, the key follows the statistics actually used.
    /// </summary>
    /// <remarks>
    /// With <paramref name="open"/> (a streaming pass that would spill its results), a result found in the cache is
    /// left in the cache's file, verified, instead of being copied into the spill file (<see cref="LayerOutcome.Opened"/>).
    /// </remarks>
    private (LayerWorkKey Key, byte[]? Result, CachedPayload? Opened) RunLayer(
        StepRecipe step, ICompressionPass pass, PassLayer layer, IReadOnlyDictionary<string, LayerInputStatistics>? statistics, PassContext context,
        bool open, CancellationToken ct)
    {
        LayerWorkKey KeyOf(byte[] statisticsHash) => LayerWorkKey.FromHashes(
            pass.Name, pass.SettingsFingerprint, session.EngineVersion, layer.Descriptor, layer.WeightHash, statisticsHash);

        var statisticsHash = session.StatisticsHash(statistics, layer.ActivationName);
        var key = KeyOf(statisticsHash);
        if (open && session.TryOpenLayer(context.ModelName, step.Kind, layer.Name, key, out var opened))
        {
            return (key, null, opened);
        }

        if (session.TryGetLayer(context.ModelName, step.Kind, layer.Name, key, out var cached))
        {
            return (key, cached, null);
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var layerStatistics = statistics?[layer.ActivationName];
        var usedHash = session.StatisticsHash(layerStatistics);
        if (!usedHash.AsSpan().SequenceEqual(statisticsHash))
        {
            key = KeyOf(usedHash);
            if (session.TryGetLayer(context.ModelName, step.Kind, layer.Name, key, out cached))
            {
                return (key, cached, null);
            }
        }

        FiniteLayerInputs.Check(layer, layerStatistics, context);
        return (key, session.ComputeLayer(context.ModelName, step.Kind, layer.Name, key, () => pass.ComputeLayer(layer, layerStatistics, ct),
            clock.Elapsed.TotalMilliseconds), null);
    }
}
