using System.Globalization;
using ModelCompress.Diagnostics;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Recipe;
using ModelCompress.Verification;

namespace ModelCompress.Engine;

/// <summary>
/// <c>fallback_order: sensitivity</c>: orders the fallback's candidates by what each layer alone costs the gate. Per-layer
/// output SNR can rank layers in an order the end-to-end metric does not follow: on PP-OCRv4 rec the layers with the
/// lowest SNR are not those whose int8 flips the argmax, and putting the 12 worst by SNR back to float leaves the
/// per-time-step agreement where it was. Here each ranked layer is built alone in int8 (every other ranked layer in
/// float) and judged by the recipe's thresholds on the verify data; the layer whose int8 leaves the worst margin goes
/// back to float first. Costs one build and one verification per ranked layer.
/// </summary>
internal static class FallbackSensitivity
{
    /// <summary>How many layers MC3940 names.</summary>
    private const int Named = 5;

    /// <summary>
    /// <paramref name="culprits"/> reordered, worst alone-int8 margin first (ties keep the SNR order);
    /// <paramref name="judge"/> builds and judges a candidate with the given layers in float and returns its worst margin
    /// (<see cref="TuneMargins.Worst"/>).
    /// </summary>
    public static IReadOnlyList<LayerError> Order(
        string model,
        IReadOnlyList<LayerError> culprits,
        Func<IReadOnlyList<string>, double> judge,
        SourceLocation at,
        IDiagnosticSink sink,
        CancellationToken ct)
    {
        var margins = new double[culprits.Count];
        for (var i = 0; i < culprits.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var others = culprits.Where((_, j) => j != i).Select(l => l.Name).ToList();
            margins[i] = judge(others);
        }

        // OrderBy is stable: equal margins keep the SNR ranking's order.
        var order = Enumerable.Range(0, culprits.Count).OrderBy(i => margins[i]).ToList();
        var named = string.Join(", ", order.Take(Named).Select(i => string.Create(CultureInfo.InvariantCulture, $"{culprits[i].Name} ({margins[i]:+0.0000;-0.0000})")));
        sink.Report(EngineDiagnostics.Catalog.Create("MC3940", DiagnosticSeverity.Info, at.File, at.Line, at.Column, model, culprits.Count, named));
        return [.. order.Select(i => culprits[i])];
    }
}
