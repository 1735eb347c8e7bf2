using ModelCompress.Diagnostics;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Passes;
using ModelCompress.Recipe;

namespace ModelCompress.Engine;

/// <summary>Compact storage of the final weights, after the last step and before the model is written and verified.</summary>
public static partial class ModelCompressEngine
{
    /// <summary>
    /// When the recipe prunes and no prune step asks for <c>storage: dense</c>, stores every tensor with enough zeros
    /// (or, for int8 codes, enough equal entries) as values + 1-bit mask (MC3820); a model whose opset cannot be raised to
    /// 11 keeps them dense (MC3821). The gate then verifies exactly this model: the one written.
    /// </summary>
    private static void PackSparseWeights(ModelRecipe model, OnnxModel onnx, IDiagnosticSink sink)
    {
        var prunes = model.Steps.OfType<PruneStep>().ToList();
        if (prunes.Count == 0 || prunes.Any(p => p.Storage == SparseStorage.Dense))
        {
            return;
        }

        var at = prunes[0].Location;
        var result = SparseWeightPacker.Pack(onnx);
        if (result.SkippedBecause is { } why)
        {
            sink.Report(EngineDiagnostics.Catalog.Create("MC3821", DiagnosticSeverity.Warning, at.File, at.Line, at.Column, model.Name, why));
        }
        else if (result.Tensors > 0)
        {
            sink.Report(EngineDiagnostics.Catalog.Create("MC3820", DiagnosticSeverity.Info, at.File, at.Line, at.Column,
                model.Name, result.Tensors, result.DenseBytes, result.PackedBytes));
        }
    }
}
