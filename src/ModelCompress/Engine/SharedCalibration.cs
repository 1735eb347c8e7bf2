using ModelCompress.Calibration;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Passes;
using ModelCompress.Recipe;

namespace ModelCompress.Engine;

/// <summary>
/// Calibration statistics shared between the candidates of one tuning run. Candidates whose earlier steps are the same
/// calibrate the same model on the same data and differ only in what they ask for: ranges (static minmax, SmoothQuant
/// α = 0.5), histograms (percentile, entropy), captured rows (SmoothQuant auto), Hessians (GPTQ). So the first
/// candidate to calibrate a model gathers, in one pass of ONNX Runtime over the data, the union of what every
/// candidate sharing that model asks for (each candidate's pass finds its layers on that very model); every candidate
/// then gets exactly the statistics its own request would have gathered — the parts it did not ask for are dropped —
/// stored under its own calibration key, so its layer keys, results and output bytes are those of a plain run of its
/// steps, and a rebuild that reads the decision back finds the chosen candidate's statistics in the cache. The union
/// itself is kept in memory only (its largest parts, the Hessians, would otherwise be written twice); a rebuild that
/// tunes again looks each candidate's own statistics up before it gathers anything.
/// </summary>
/// <remarks>
/// Requests with different captured-row counts cannot share (rows are spread over the samples by count): such a
/// candidate is left out of the union and gathers on its own. One instance lives for one tuning run.
/// </remarks>
internal sealed class SharedCalibration(IReadOnlyList<TunePlan> plans, PassRunner runner, CompressOptions options, CancellationToken ct)
{
    // The statistics gathered for the model after each distinct list of earlier steps (by their fingerprints).
    private readonly Dictionary<string, Gathered> _gathered = new(StringComparer.Ordinal);

    /// <summary>How many calibrations were served from statistics another candidate's union pass gathered.</summary>
    public int Served { get; private set; }

    /// <summary>The statistics of <paramref name="names"/> for step <paramref name="index"/> of <paramref name="plan"/>.</summary>
    public IReadOnlyDictionary<string, LayerInputStatistics> Get(
        TunePlan plan, int index, ModelRecipe model, OnnxModel onnx, IEnumerable<string> names, LayerStatisticsRequest request)
    {
        var step = plan.Steps[index];
        var wanted = names.Distinct(StringComparer.Ordinal).ToList();
        var prefix = Prefix(plan.Steps, index);
        if (!_gathered.TryGetValue(prefix, out var gathered) || !Covers(gathered, wanted, request))
        {
            // This candidate's own statistics from an earlier build (a rebuild that tunes again): no pass at all.
            var alone = ModelCompressEngine.Collector(runner, model, step, onnx, request, options, ct);
            if (runner.Session.TryGetStatistics(model, step, onnx, wanted, alone, request) is { } cached)
            {
                return cached;
            }

            // The union pass keeps nothing in the cache: each candidate stores the part it gets (below), which is what
            // a rebuild looks up; storing the union too would write its largest parts (Hessians) twice.
            var (union, all) = Union(prefix, index, model, onnx, wanted, request);
            var statistics = ModelCompressEngine.CollectStatistics(model, step, onnx, all, options, ct, union, runner.Session.UnstoredCalibrationContext());
            gathered = new Gathered(union, [.. all], statistics);
            _gathered[prefix] = gathered;
        }
        else
        {
            Served++;
        }

        var projected = wanted.ToDictionary(n => n, n => Project(gathered.Statistics[n], request), StringComparer.Ordinal);
        return runner.Session.GetOrCollectStatistics(model, step, onnx, wanted, _ => projected, request);
    }

    /// <summary>Exactly what a collection for <paramref name="request"/> alone keeps (<c>StatisticsConsumer.ToLayer</c>).</summary>
    internal static LayerInputStatistics Project(LayerInputStatistics s, LayerStatisticsRequest request) =>
        new(s.Min, s.Max, s.AbsMax, s.Samples, request.Histogram ? s.Histogram : null, request.CaptureRows > 0 ? s.Rows : null,
            request.SumSquares ? s.SumSquares : null)
        {
            Hessian = request.Hessian ? s.Hessian : null,
            Halves = request.CaptureRows > 0 ? s.Halves : null,
            GroupHessians = request.Hessian ? s.GroupHessians : null,
        };

    /// <summary>Whether statistics gathered for <paramref name="union"/> hold everything <paramref name="request"/> asks for.</summary>
    internal static bool Covers(LayerStatisticsRequest union, LayerStatisticsRequest request) =>
        (!request.Histogram || union.Histogram) && (request.CaptureRows == 0 || request.CaptureRows == union.CaptureRows)
        && (!request.SumSquares || union.SumSquares) && (!request.Hessian || union.Hessian);

    private static bool Covers(Gathered gathered, List<string> names, LayerStatisticsRequest request) =>
        Covers(gathered.Request, request) && names.All(gathered.Names.Contains);

    /// <summary>The union of the requests and values of every candidate that reaches this model with the same earlier steps.</summary>
    private (LayerStatisticsRequest Request, List<string> Names) Union(
        string prefix, int index, ModelRecipe model, OnnxModel onnx, List<string> wanted, LayerStatisticsRequest request)
    {
        var union = request;
        var names = new List<string>(wanted);
        var seen = new HashSet<string>(wanted, StringComparer.Ordinal);
        var quiet = new SilentSink();
        foreach (var other in plans.Where(p => p.Steps.Length > index && Prefix(p.Steps, index) == prefix))
        {
            var step = other.Steps[index];
            try
            {
                var pass = PassFactory.Create(step, model.Name, quiet, other.Steps, model.Calibration);
                var r = pass.StatisticsRequest;
                if (!pass.RequiresCalibration || (r.CaptureRows > 0 && union.CaptureRows > 0 && r.CaptureRows != union.CaptureRows))
                {
                    continue;
                }

                // On a copy (tensors shared): finding layers must not touch the model this candidate goes on to edit.
                var layers = pass.FindLayers(onnx.Clone(), new PassContext(model.Name, step.Location, quiet));
                foreach (var name in layers.Select(l => l.ActivationName).Concat((pass as IOutputRangePass)?.RangeValues ?? []))
                {
                    if (seen.Add(name))
                    {
                        names.Add(name);
                    }
                }

                union = new LayerStatisticsRequest(
                    union.Histogram || r.Histogram, Math.Max(union.CaptureRows, r.CaptureRows), union.SumSquares || r.SumSquares, union.Hessian || r.Hessian);
            }
            catch (ModelCompressException)
            {
                // A candidate the engine cannot make fails its own trial; it adds nothing to the union.
            }
        }

        return (union, names);
    }

    private static string Prefix(IReadOnlyList<StepRecipe> steps, int index) =>
        string.Join(" → ", steps.Take(index).Select(s => s.SettingsFingerprint()));

    private sealed record Gathered(LayerStatisticsRequest Request, HashSet<string> Names, IReadOnlyDictionary<string, LayerInputStatistics> Statistics);

    private sealed class SilentSink : IDiagnosticSink
    {
        public void Report(Diagnostic diagnostic)
        {
        }
    }
}
