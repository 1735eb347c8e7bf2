using ModelCompress.Analysis;
using ModelCompress.Onnx.Diagnostics;

namespace ModelCompress.Passes;

/// <summary>The units of work of a pass that works on [K, N] weight matrices only (int4 GPTQ/RTN, SparseGPT).</summary>
internal static class MatrixLayers
{
    /// <summary>
    /// The MatMul and Gemm layers of <paramref name="layers"/>, each as one unit; the Conv layers are left as they are
    /// and counted once in an info diagnostic <paramref name="convCode"/> at the step's line.
    /// </summary>
    public static IReadOnlyList<PassLayer> Of(IReadOnlyList<LinearLayer> layers, PassContext context, string convCode)
    {
        var convs = layers.Count(l => l.Kind == LinearLayerKind.Conv);
        if (convs > 0)
        {
            context.Report(convCode, DiagnosticSeverity.Info, context.ModelName, convs);
        }

        return [.. layers.Where(l => l.Kind != LinearLayerKind.Conv).Select(PassLayer.Of)];
    }
}
