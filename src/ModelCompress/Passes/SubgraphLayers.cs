using ModelCompress.Analysis;
using ModelCompress.Onnx.Diagnostics;

namespace ModelCompress.Passes;

/// <summary>
/// What a pass that cannot work inside If/Loop/Scan subgraphs says about the layers there. Calibration observes a
/// layer's input by making it a graph output, which a value inside a subgraph cannot be (it exists once per branch
/// taken or per iteration), so passes that need input statistics leave those layers float and say so once per step.
/// </summary>
internal static class SubgraphLayers
{
    /// <summary>Reports MC3350 when <paramref name="analysis"/> has layers inside subgraphs that <paramref name="step"/> leaves float.</summary>
    public static void WarnLeftFloat(ModelAnalysis analysis, PassContext context, string step)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        var count = analysis.SubgraphLayers.Count;
        if (count > 0)
        {
            ArgumentNullException.ThrowIfNull(context);
            context.Report("MC3350", DiagnosticSeverity.Warning, context.ModelName, count, step);
        }
    }
}
