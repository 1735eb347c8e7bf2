using ModelCompress.Calibration;
using ModelCompress.Engine;
using ModelCompress.Execution;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Passes;
using ModelCompress.Recipe;
using ModelCompress.Reports;

namespace ModelCompress.Tests;

/// <summary>
/// Runs recipe steps on an in-memory model the way the engine's step loop does — <see cref="PassFactory"/> chooses each
/// pass, <see cref="PassRunner"/> finds its layers, calibrates them with the product's statistics collector, computes
/// and applies them — but on a test's own calibration samples and without a cache, for tests that need a model or data
/// no recipe file can hold. The model is edited in place, as the engine edits its loaded copy.
/// </summary>
internal static class PassHarness
{
    /// <summary>The step reports (one per step, in order) and what the passes reported.</summary>
    internal sealed record Outcome(IReadOnlyList<StepReport> Steps, ListDiagnosticSink Sink)
    {
        /// <summary>The layers of the last step.</summary>
        public IReadOnlyList<LayerReport> Layers => Steps[^1].Layers;
    }

    /// <summary>Runs <paramref name="steps"/> on <paramref name="model"/>, calibrating on <paramref name="calibration"/> when a pass asks.</summary>
    public static Outcome Run(OnnxModel model, ICalibrationSource? calibration, params StepRecipe[] steps)
    {
        var sink = new ListDiagnosticSink();
        var runner = new PassRunner(null, "test");
        var reports = new List<StepReport>();
        foreach (var step in steps)
        {
            var pass = PassFactory.Create(step, "model", sink, steps);
            var context = new PassContext("model", step.Location, sink);
            reports.Add(runner.Run(step, pass, model, context, null, (names, request) => ActivationStatisticsCollector.Collect(
                model, names, calibration ?? throw new InvalidOperationException($"The {step.Kind} step needs calibration samples."), null,
                CancellationToken.None, request), CancellationToken.None));
        }

        return new Outcome(reports, sink);
    }

    /// <summary>The layers of a smoothquant step by group: layers that share one input share one work key.</summary>
    public static List<List<LayerReport>> Groups(StepReport smoothquant) =>
        [.. smoothquant.Layers.GroupBy(l => l.Key, StringComparer.Ordinal).Select(g => g.ToList())];
}
