using ModelCompress.Diagnostics;
using ModelCompress.Engine;
using ModelCompress.Kernels;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Quantization;
using ModelCompress.Recipe;

namespace ModelCompress.Passes;

/// <summary>
/// Chooses the pass for each recipe step. A step without an implementation is a coded error (MC3001) at the step's
/// recipe line — never silently skipped, never replaced by another.
/// </summary>
public static class PassFactory
{
    /// <summary>The steps that run today, for the MC3001 message.</summary>
    public const string SupportedSteps =
        "smoothquant; quantize (int8 weights: weight_only, dynamic, static; int4 weights: weight_only, algorithm rtn or gptq); "
        + "prune (magnitude, nm, wanda, pst, sparsegpt, structured); share (cluster, lowrank); distill (layerwise)";

    /// <summary>The pass for <paramref name="step"/> of model <paramref name="modelName"/>.</summary>
    /// <param name="step">The step.</param>
    /// <param name="modelName">The recipe's model name (for messages).</param>
    /// <param name="sink">Where warnings about settings go.</param>
    /// <param name="steps">All the model's steps, in order: SmoothQuant's α search simulates the quantize step after it.</param>
    /// <param name="calibration">The model's calibration data (distillation captures the teacher's inputs on it).</param>
    public static ICompressionPass Create(
        StepRecipe step, string modelName, IDiagnosticSink sink, IReadOnlyList<StepRecipe>? steps = null, CalibrationSettings? calibration = null)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(sink);
        var at = step.Location;
        switch (step)
        {
            case QuantizeStep { Weights: QuantizeWeightType.Int4 } int4:
                return new Int4WeightOnlyPass(int4);
            case PruneStep { Method: PruneMethod.SparseGpt } sparseGpt:
                return new SparseGptPass(sparseGpt);
            case QuantizeStep q:
                if (!q.SymmetricWeights)
                {
                    sink.Report(Warn("MC3012", at, "symmetric_weights: false", "symmetric weights (zero point 0) were used"));
                }

                return q.Mode switch
                {
                    QuantizeMode.Static => new StaticInt8QdqPass(q),
                    QuantizeMode.Dynamic => new DynamicInt8Pass(q),
                    _ => new WeightOnlyInt8Pass(q),
                };
            case PruneStep { Method: PruneMethod.Structured } p:
                return new StructuredPrunePass(p);
            case SmoothQuantStep s:
                WarnUnlessStatic(s, modelName, sink, steps);
                return new SmoothQuantPass(s, SearchOptions(s, steps));
            case PruneStep p:
                return new PrunePass(p);
            case ShareStep { Method: ShareMethod.Cluster } share:
                return new ClusterSharePass(share);
            case ShareStep share:
                return new LowRankSharePass(share);
            case DistillStep distill:
                return new DistillPass(distill, calibration);
            default:
                throw EngineDiagnostics.FailAt("MC3001", at.File, at.Line, at.Column, step.Kind, modelName, SupportedSteps);
        }
    }

    /// <summary>How the first static quantize step after <paramref name="step"/> will quantize (defaults: uint8 inputs, per-channel weights).</summary>
    private static SmoothQuantOptions SearchOptions(SmoothQuantStep step, IReadOnlyList<StepRecipe>? steps)
    {
        var next = steps?.SkipWhile(s => !ReferenceEquals(s, step)).OfType<QuantizeStep>().FirstOrDefault();
        return next is null
            ? new SmoothQuantOptions()
            : new SmoothQuantOptions(next.Activations == QuantizeActivationType.Int8 ? QuantizedType.Int8 : QuantizedType.UInt8, next.PerChannel);
    }

    /// <summary>
    /// MC3018 when the quantize step after <paramref name="step"/> does not quantize activations statically: SmoothQuant
    /// (Xiao et al. 2023) migrates activation outliers into the weights so that per-tensor static activation ranges lose
    /// less; weight-only int8 keeps activations float (smoothing only makes the weights harder), and dynamic int8 takes
    /// each input's own range at run time, which the α search's calibrated ranges do not simulate.
    /// </summary>
    private static void WarnUnlessStatic(SmoothQuantStep step, string modelName, IDiagnosticSink sink, IReadOnlyList<StepRecipe>? steps)
    {
        if (steps is null)
        {
            return;
        }

        var next = steps.SkipWhile(s => !ReferenceEquals(s, step)).OfType<QuantizeStep>().FirstOrDefault();
        if (next is { Mode: QuantizeMode.Static })
        {
            return;
        }

        var what = next is null ? "no quantize step" : $"a {RecipeChoices.Modes.Name(next.Mode)} quantize step";
        sink.Report(Warn("MC3018", step.Location, modelName, what, step.IsAutoAlpha ? " (and the alpha: auto search)" : string.Empty));
    }

    private static Diagnostic Warn(string code, SourceLocation at, params object?[] args) =>
        EngineDiagnostics.Catalog.Create(code, DiagnosticSeverity.Warning, at.File, at.Line, at.Column, args);
}
