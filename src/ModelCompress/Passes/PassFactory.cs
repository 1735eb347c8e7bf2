using ModelCompress.Engine;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Recipe;

namespace ModelCompress.Passes;

/// <summary>
/// Chooses the pass for each recipe step. A step without an implementation is a coded error (MC3001) at the step's
/// recipe line — never silently skipped. New passes (SmoothQuant, static QDQ, pruning, ...) plug in here.
/// </summary>
public static class PassFactory
{
    /// <summary>The steps that run today, for the MC3001 message.</summary>
    public const string SupportedSteps = "quantize (int8 weights)";

    /// <summary>The pass for <paramref name="step"/> of model <paramref name="modelName"/>; reports interim substitutions as warnings.</summary>
    public static ICompressionPass Create(StepRecipe step, string modelName, IDiagnosticSink sink)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(sink);
        var at = step.Location;
        switch (step)
        {
            case QuantizeStep { Weights: QuantizeWeightType.Int4 }:
                throw EngineErrors.FailAt("MC3001", at.File, at.Line, at.Column, "quantize (weights: int4)", modelName, SupportedSteps);
            case QuantizeStep q:
                if (q.Mode != QuantizeMode.WeightOnly)
                {
                    // Interim: until static/dynamic activation quantization exists, weight-only int8 stands in (warned).
                    sink.Report(Warn("MC3008", at, q.Mode == QuantizeMode.Static ? "static" : "dynamic"));
                }

                if (!q.SymmetricWeights)
                {
                    sink.Report(Warn("MC3012", at, "symmetric_weights: false", "symmetric weights (zero point 0) were used"));
                }

                return new WeightOnlyInt8Pass(q);
            default:
                throw EngineErrors.FailAt("MC3001", at.File, at.Line, at.Column, step.Kind, modelName, SupportedSteps);
        }
    }

    private static Diagnostic Warn(string code, SourceLocation at, params object?[] args) =>
        EngineErrors.Catalog.Create(code, DiagnosticSeverity.Warning, at.File, at.Line, at.Column, args);
}
