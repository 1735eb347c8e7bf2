using System.Diagnostics;
using System.Globalization;
using ModelCompress.Diagnostics;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Passes;
using ModelCompress.Recipe;
using ModelCompress.Reports;
using ModelCompress.Verification;

namespace ModelCompress.Engine;

/// <summary>
/// Accuracy-driven tuning (<c>tune:</c>): candidates are built through the same pass runner and per-layer cache as a
/// plain run (so calibration statistics and layer results are shared between candidates) and judged by the same gate
/// on the same verify data; the chosen candidate's steps then run as the model's steps.
/// </summary>
public static partial class ModelCompressEngine
{
    private const int LatencyRounds = 7;

    private sealed record TuneOutcome(ModelRecipe Model, TuningReport Report, bool Exhausted);

    private static TuneOutcome Tune(
        ModelRecipe model, CompressOptions options, PassRunner runner, OnnxModel reference, IReadOnlyList<string> sourceFiles,
        (string Path, byte[] Sha256)? loaded, bool cacheEnabled, IDiagnosticSink sink, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var tune = model.Tune!;
        var verify = model.Verify!;
        // The decision's key needs only the candidates' settings: a rebuild that reads it back analyses nothing.
        var lists = TuneSpace.Lists(model, tune);
        var fingerprints = lists.Select(TunePlan.FingerprintOf).ToList();
        var key = TuneDecisionStore.Key(model, fingerprints, sourceFiles, runner.Session.EngineVersion, loaded, runner.Session.Files.Sha256);
        var cacheDir = cacheEnabled ? options.CacheDirectory : null;
        if (cacheDir is not null && TuneDecisionStore.TryRead(cacheDir, key, fingerprints) is { } stored)
        {
            var again = stored with { Trials = [], FromCache = true, Milliseconds = Math.Round(clock.Elapsed.TotalMilliseconds, 3) };
            Announce(model, tune, again, sink);
            return new TuneOutcome(model with { Steps = lists[stored.Chosen - 1] }, again, !stored.Passed);
        }

        var plans = TuneSpace.Candidates(model, tune, reference);
        var sourceBytes = sourceFiles.Sum(f => new FileInfo(f).Length);
        var objective = tune.Objective.ToString().ToLowerInvariant();
        var ordered = TuneSpace.Order(plans, tune.Objective, sourceBytes);
        var trials = new List<TuneTrial>();
        var stop = "all-tried";
        var shared = new SharedCalibration(plans, runner, options, ct);
        var dir = Directory.CreateTempSubdirectory("modelcompress-tune-");
        try
        {
            foreach (var plan in ordered)
            {
                if (trials.Count >= tune.MaxTrials)
                {
                    stop = "max-trials";
                    break;
                }

                if (tune.MaxSeconds is { } limit && clock.Elapsed.TotalSeconds >= limit)
                {
                    stop = "max-seconds";
                    break;
                }

                ct.ThrowIfCancellationRequested();
                options.Progress?.Invoke(new CompressProgress(model.Name, "tune", trials.Count + 1, Math.Min(tune.MaxTrials, ordered.Count), plan.Label));
                var trial = Trial(model, plan, options, runner, reference, sourceFiles, dir.FullName, shared, ct);
                trials.Add(trial);
                if (trial.Passed && tune.Objective != TuneObjective.Accuracy)
                {
                    stop = "first-pass";
                    break;
                }
            }
        }
        finally
        {
            try
            {
                dir.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A temporary folder left behind is harmless; the trial models were written for ONNX Runtime only.
            }
        }

        var passing = trials.Where(t => t.Passed).ToList();
        var best = passing.Count > 0
            ? passing.OrderByDescending(t => tune.Objective == TuneObjective.Accuracy ? t.Margin : 0).First()
            : trials.Where(t => t.Error is null).OrderByDescending(t => t.Margin).FirstOrDefault() ?? trials.FirstOrDefault();
        var chosen = best is null ? ordered[0] : plans.First(p => p.Number == best.Candidate);
        var report = new TuningReport(objective, plans.Count, trials, chosen.Number, chosen.Label, best?.Passed == true,
            Reason(tune.Objective, best, trials, sourceBytes), FromCache: false, stop, Math.Round(clock.Elapsed.TotalMilliseconds, 3));
        if (cacheDir is not null)
        {
            TuneDecisionStore.Write(cacheDir, key, chosen, report);
        }

        Announce(model, tune, report, sink);
        return new TuneOutcome(model with { Steps = chosen.Steps }, report, !report.Passed);
    }

    /// <summary>Builds one candidate from the source, judges it with the gate (no fallback) and times it in ONNX Runtime.</summary>
    private static TuneTrial Trial(
        ModelRecipe model, TunePlan plan, CompressOptions options, PassRunner runner, OnnxModel reference, IReadOnlyList<string> sourceFiles,
        string dir, SharedCalibration shared, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var (hits, misses) = Counts(runner);
        var m = model with { Steps = plan.Steps };
        var quiet = new TrialSink();
        var phases = new TrialPhases();
        long bytes = 0;
        try
        {
            var onnx = OnnxModel.Load(model.SourcePath);
            phases.Lap("load");

            // The same digest as the build's own copy of the source: the chosen candidate's calibration keys are then
            // the ones the build after tuning (and every rebuild) looks up.
            runner.Session.ModelLoaded(onnx, sourceFiles);
            for (var index = 0; index < m.Steps.Length; index++)
            {
                ct.ThrowIfCancellationRequested();
                var step = m.Steps[index];
                var at = index;
                var pass = PassFactory.Create(step, m.Name, quiet, m.Steps, m.Calibration);
                runner.Run(step, pass, onnx, new PassContext(m.Name, step.Location, quiet), options.Progress,
                    (names, request) => phases.Time("calibration", () => shared.Get(plan, at, m, onnx, names, request)), ct);
            }

            phases.Lap("steps");

            // The trial measures and judges the file the build would write, packed storage included.
            PackSparseWeights(m, onnx, quiet);
            var data = onnx.ToBytes();
            bytes = data.LongLength;
            var path = Path.Combine(dir, $"{m.Name}.candidate{plan.Number.ToString(CultureInfo.InvariantCulture)}.onnx");
            File.WriteAllBytes(path, data);
            phases.Lap("write");
            var (_, verdicts) = GateRunner.Judge(m, m.Verify!, (model.SourcePath, reference), new GateCandidate(onnx, path), options.Progress, ct,
                runner.Session.VerificationContext(m.Name));
            phases.Lap("verify");
            var latency = LatencyProbe.MedianMilliseconds(path, m.Name, m.Verify!.Data, LatencyRounds, ct);
            phases.Lap("latency");
            File.Delete(path);
            var passed = quiet.FirstError is null && verdicts.All(v => v.Outcome.Passed);
            return new TuneTrial(plan.Number, plan.Label, plan.Fingerprint, passed, TuneMargins.Worst(verdicts), [.. verdicts.Select(v => v.Outcome)],
                bytes, latency, Ms(clock), Counts(runner).Hits - hits, Counts(runner).Misses - misses)
            {
                Error = quiet.FirstError?.ToCanonicalString(),
                Phases = phases.ToList(),
            };
        }
        catch (ModelCompressException ex)
        {
            // A candidate the engine cannot make (e.g. int4 on a model whose opset cannot be raised) is a failed trial.
            return new TuneTrial(plan.Number, plan.Label, plan.Fingerprint, false, double.NegativeInfinity, [], bytes, double.NaN,
                Ms(clock), Counts(runner).Hits - hits, Counts(runner).Misses - misses)
            {
                Error = ex.Diagnostic.ToCanonicalString(),
            };
        }
    }

    /// <summary>
    /// The steps of candidate <paramref name="number"/> (1-based, as <see cref="TuningReport.Chosen"/> names it) of a
    /// model with <c>tune:</c>: the recipe's own candidate, or the default space's.
    /// </summary>
    public static IReadOnlyList<StepRecipe> TuneCandidateSteps(ModelRecipe model, int number)
    {
        ArgumentNullException.ThrowIfNull(model);
        var tune = model.Tune ?? throw new ArgumentException("The model has no 'tune:' section.", nameof(model));
        var lists = TuneSpace.Lists(model, tune);
        return number >= 1 && number <= lists.Count ? lists[number - 1] : throw new ArgumentOutOfRangeException(nameof(number));
    }

    /// <summary>Layer results and calibration statistics read back / computed so far.</summary>
    private static (int Hits, int Misses) Counts(PassRunner runner) =>
        (runner.CacheHits + runner.Session.StatisticsHits, runner.CacheMisses + runner.Session.StatisticsMisses);

    private static double Ms(Stopwatch clock) => Math.Round(clock.Elapsed.TotalMilliseconds, 3);

    private static string Reason(TuneObjective objective, TuneTrial? best, List<TuneTrial> trials, long sourceBytes)
    {
        if (best is null)
        {
            return "no trial could run";
        }

        var bounds = string.Join(", ", best.Thresholds.Select(o => $"{o.Metric} {AccuracyGate.Fmt(o.Value)} {o.Bound}"));
        var size = sourceBytes == 0 ? "?" : ((double)best.OutputBytes / sourceBytes).ToString("0.###", CultureInfo.InvariantCulture);
        var missed = trials.Count(t => !t.Passed);
        var tried = string.Create(CultureInfo.InvariantCulture, $"{trials.Count} trial(s), {missed} missed the thresholds");
        var why = !best.Passed ? "closest to the thresholds"
            : objective switch
            {
                TuneObjective.Size => "the first candidate in order of expected size that meets the thresholds",
                TuneObjective.Latency => "the first candidate in order of expected latency that meets the thresholds",
                _ => "the widest margin over the thresholds of the candidates tried",
            };
        return $"{why} ({bounds}); {size}× the source size; {tried}";
    }

    /// <summary>The build's one line: MC3700 for a winner; the budget's MC3701 comes after the gate (fallback may still pass).</summary>
    private static void Announce(ModelRecipe model, TuneSettings tune, TuningReport report, IDiagnosticSink sink)
    {
        if (!report.Passed)
        {
            return;
        }

        var reason = report.FromCache ? report.Reason + " (decision read back; no trials run)" : report.Reason;
        sink.Report(EngineDiagnostics.Catalog.Create("MC3700", DiagnosticSeverity.Info, tune.Location.File, tune.Location.Line, tune.Location.Column,
            model.Name, $"candidate {report.Chosen.ToString(CultureInfo.InvariantCulture)}", report.ChosenLabel, reason));
    }

    /// <summary>MC3701 when no candidate met the thresholds and the gate (with its fallback, if any) did not rescue the closest one.</summary>
    private static bool TuningFailed(ModelRecipe model, TuneOutcome tuning, VerificationReport? verification, IDiagnosticSink sink)
    {
        if (!tuning.Exhausted || verification?.Passed == true)
        {
            return false;
        }

        var r = tuning.Report;
        var at = model.Tune!.Location;
        var budget = string.Create(CultureInfo.InvariantCulture, $"{r.Trials.Count} of {r.Candidates} candidate(s) tried, stopped by {r.StopReason}");
        if (r.FromCache)
        {
            budget += ", decision read back";
        }

        sink.Report(EngineDiagnostics.Catalog.Create("MC3701", DiagnosticSeverity.Error, at.File, at.Line, at.Column,
            model.Name, budget, $"candidate {r.Chosen.ToString(CultureInfo.InvariantCulture)}", r.ChosenLabel, r.Reason));
        return true;
    }

    /// <summary>Keeps a trial's diagnostics out of the build's output: only the chosen candidate's run reports.</summary>
    private sealed class TrialSink : IDiagnosticSink
    {
        public Diagnostic? FirstError { get; private set; }

        public void Report(Diagnostic diagnostic)
        {
            ArgumentNullException.ThrowIfNull(diagnostic);
            if (diagnostic.Severity == DiagnosticSeverity.Error)
            {
                FirstError ??= diagnostic;
            }
        }
    }
}
