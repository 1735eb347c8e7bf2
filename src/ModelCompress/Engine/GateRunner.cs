using ModelCompress.Diagnostics;
using ModelCompress.Execution;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Recipe;
using ModelCompress.Reports;
using ModelCompress.Verification;

namespace ModelCompress.Engine;

/// <summary>
/// The accuracy gate of one model: end-to-end metrics in ONNX Runtime, the thresholds, the per-layer ranking with the
/// int8 kernel, and — with <c>on_regression: fallback</c> — the op-by-op fallback of Intel Neural Compressor's
/// accuracy-driven tuning: the worst layer by per-layer SNR is kept in float, then the two worst, and so on up to
/// <c>max_fallback_layers</c>, until the thresholds hold. Breaches that remain are MC5001 at their threshold's line,
/// naming the worst layers still in int8 and the <c>exclude:</c> that keeps them in float.
/// </summary>
internal static class GateRunner
{
    /// <summary>Runs the gate; <paramref name="rebuild"/> compresses again with extra layers in float (null: no fallback).</summary>
    public static VerificationReport Run(
        ModelRecipe model,
        VerifySettings verify,
        string dataDisplayPath,
        (string Path, OnnxModel Model) reference,
        GateCandidate first,
        Func<IReadOnlyList<string>, GateCandidate>? rebuild,
        bool failOnRegression,
        Action<CompressProgress>? progress,
        IDiagnosticSink sink,
        CancellationToken ct,
        SegmentCacheContext? segments = null,
        Func<IReadOnlyList<string>, GateMemo?>? memoFor = null)
    {
        segments ??= SegmentCacheContext.None;
        var outputs = ModelVerifier.OutputsToCompare(model.Name, reference.Model, verify.Outputs, verify.OutputsLocation);
        var thresholds = verify.Thresholds.Select(ToGate).ToList();

        // The first candidate's measurements may come from the cache (fallback candidates are always measured).
        var memo = memoFor?.Invoke(outputs);
        VerificationMetrics MeasureFirst() => Compare(model, verify, outputs, reference, first, progress, "verify", ct, segments);
        var metrics = memo is null ? MeasureFirst() : memo.Metrics(MeasureFirst);
        var verdicts = AccuracyGate.Judge(metrics, thresholds);
        var passed = verdicts.All(v => v.Outcome.Passed);
        IReadOnlyList<LayerError>? ranking = null;
        if (verify.PerLayer || !passed)
        {
            progress?.Invoke(new CompressProgress(model.Name, "per-layer", 0, 0));
            var samples = Math.Min(verify.Samples ?? long.MaxValue, LayerErrorAnalyzer.DefaultSamples);
            IReadOnlyList<LayerError> Rank() => LayerErrorAnalyzer.Analyze(model.Name, reference.Model, first.Model, verify.Data, samples, ct, segments);
            ranking = memo is null ? Rank() : memo.Layers(Rank);
        }

        var quantize = FallbackRecipe.QuantizeStepOf(model);
        FallbackReport? fallback = null;
        IReadOnlyList<string> inFloat = [];
        if (!passed && verify.OnRegression == RegressionAction.Fallback && rebuild is not null)
        {
            var culprits = GateAttribution.Culprits(ranking ?? []);
            var at = verify.Location;
            if (quantize is null || culprits.Count == 0)
            {
                var why = quantize is null ? "the recipe has no quantize step to keep layers out of" : "no int8 layer could be measured to rank the layers";
                sink.Report(EngineDiagnostics.Catalog.Create("MC5102", DiagnosticSeverity.Warning, at.File, at.Line, at.Column, model.Name, why));
            }
            else
            {
                if (verify.FallbackOrder == FallbackOrder.Sensitivity)
                {
                    progress?.Invoke(new CompressProgress(model.Name, "fallback sensitivity", 0, culprits.Count));
                    culprits = FallbackSensitivity.Order(model.Name, culprits, inFloat => TuneMargins.Worst(AccuracyGate.Judge(
                        Compare(model, verify, outputs, reference, rebuild(inFloat), progress, "sensitivity verify", ct, segments), thresholds)), at, sink, ct);
                }

                var attempts = new List<FallbackAttempt>();
                var limit = Math.Min(verify.MaxFallbackLayers, culprits.Count);
                for (var k = 1; k <= limit && !passed; k++)
                {
                    ct.ThrowIfCancellationRequested();
                    inFloat = [.. culprits.Take(k).Select(l => l.Name)];
                    progress?.Invoke(new CompressProgress(model.Name, "fallback", k, limit, inFloat[^1]));
                    var candidate = rebuild(inFloat);
                    metrics = Compare(model, verify, outputs, reference, candidate, progress, "fallback verify", ct, segments);
                    verdicts = AccuracyGate.Judge(metrics, thresholds);
                    passed = verdicts.All(v => v.Outcome.Passed);
                    attempts.Add(new FallbackAttempt(k, passed, [.. verdicts.Select(v => v.Outcome)]));
                }

                fallback = new FallbackReport(inFloat, attempts, passed);
                var list = string.Join(", ", inFloat);
                sink.Report(passed
                    ? EngineDiagnostics.Catalog.Create("MC5100", DiagnosticSeverity.Info, at.File, at.Line, at.Column,
                        model.Name, inFloat.Count, list, GateAttribution.ExcludeList(quantize, inFloat).Trim('[', ']'), quantize.Location.Line)
                    : EngineDiagnostics.Catalog.Create("MC5101", DiagnosticSeverity.Warning, at.File, at.Line, at.Column,
                        model.Name, inFloat.Count, list, verify.MaxFallbackLayers));
            }
        }

        if (!passed)
        {
            var attribution = ranking is null ? null : GateAttribution.Describe(ranking, quantize, inFloat);
            AccuracyGate.Report(model.Name, verdicts, failOnRegression, sink, attribution);
        }

        return new VerificationReport(
            dataDisplayPath, metrics, [.. verdicts.Select(v => v.Outcome)], passed, verify.PerLayer ? ranking : null, fallback);
    }

    /// <summary>
    /// Judges a candidate without reporting, ranking layers or falling back: a tuning trial, on the same data and
    /// thresholds as the gate.
    /// </summary>
    public static (VerificationMetrics Metrics, IReadOnlyList<GateVerdict> Verdicts) Judge(
        ModelRecipe model,
        VerifySettings verify,
        (string Path, OnnxModel Model) reference,
        GateCandidate candidate,
        Action<CompressProgress>? progress,
        CancellationToken ct,
        SegmentCacheContext segments)
    {
        var outputs = ModelVerifier.OutputsToCompare(model.Name, reference.Model, verify.Outputs, verify.OutputsLocation);
        var metrics = Compare(model, verify, outputs, reference, candidate, progress, "tune verify", ct, segments);
        return (metrics, AccuracyGate.Judge(metrics, verify.Thresholds.Select(ToGate)));
    }

    private static VerificationMetrics Compare(
        ModelRecipe model,
        VerifySettings verify,
        IReadOnlyList<string> outputs,
        (string Path, OnnxModel Model) reference,
        GateCandidate compressed,
        Action<CompressProgress>? progress,
        string phase,
        CancellationToken ct,
        SegmentCacheContext segments) =>
        ModelVerifier.Compare(
            model.Name,
            reference,
            (compressed.Path, compressed.Model),
            verify.Data,
            verify.LabelsPath,
            verify.Samples ?? long.MaxValue,
            (done, total) => progress?.Invoke(new CompressProgress(model.Name, phase, done, total)),
            ct,
            segments,
            outputs);

    /// <summary>The gate's form of a recipe threshold (metric names as the recipe writes them).</summary>
    public static GateThreshold ToGate(Threshold t) => new(
        t.Metric switch
        {
            VerifyMetric.Top1Agreement => "top1_agreement",
            VerifyMetric.Accuracy => "accuracy",
            VerifyMetric.Cosine => "cosine",
            VerifyMetric.MaxAbsError => "max_abs_error",
            VerifyMetric.MeanAbsError => "mean_abs_error",
            VerifyMetric.Perplexity => "perplexity",
            VerifyMetric.SnrDb => "snr_db",
            _ => t.Metric.ToString(),
        },
        t.Min,
        t.Max,
        t.MaxDrop,
        t.MaxIncrease,
        t.Location.File,
        t.Location.Line,
        t.Location.Column);
}
