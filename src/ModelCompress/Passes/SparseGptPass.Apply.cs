using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Reports;

namespace ModelCompress.Passes;

/// <summary>Graph edits of <see cref="SparseGptPass"/>: each weight replaced by its pruned values.</summary>
public sealed partial class SparseGptPass
{
    /// <inheritdoc />
    public IReadOnlyList<LayerReport> Apply(OnnxModel model, IReadOnlyList<LayerOutcome> outcomes, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(outcomes);
        ArgumentNullException.ThrowIfNull(context);
        var graph = model.Graph;
        var written = new Dictionary<string, string>(StringComparer.Ordinal);
        var reports = new List<LayerReport>(outcomes.Count);
        foreach (var (layer, key, result) in outcomes)
        {
            var (fallback, weights) = Decode(result);
            if (fallback.Length > 0)
            {
                context.Report("MC4040", DiagnosticSeverity.Warning, layer.Name, context.ModelName, fallback);
            }

            var before = layer.WeightValues;
            var maxError = 0.0;
            var zeros = 0L;
            for (var i = 0; i < weights.Length; i++)
            {
                maxError = Math.Max(maxError, Math.Abs(weights[i] - before[i]));
                zeros += weights[i] == 0 ? 1 : 0;
            }

            if (!written.TryGetValue(layer.WeightName, out var name))
            {
                // A new initializer under a new name: the old tensor may be a Constant node's output or read elsewhere.
                name = graph.UniqueName(layer.WeightName + "_sparse");
                graph.AddInitializer(OnnxTensor.FromFloats(name, [.. layer.WeightShape], weights));
                written[layer.WeightName] = name;
            }

            var old = layer.Node.Inputs[layer.WeightInputIndex];
            layer.Node.Inputs[layer.WeightInputIndex] = name;
            UnusedWeights.Remove(graph, old);

            var bytes = weights.LongLength * sizeof(float);
            reports.Add(new LayerReport(
                layer.Name, layer.OpType, layer.WeightName, layer.WeightShape, key.Hex, bytes, bytes, maxError,
                Note: FormattableString.Invariant($"sparsity {(double)zeros / Math.Max(1, weights.Length):F4}") + (fallback.Length > 0 ? "; magnitude: " + fallback : string.Empty)));
        }

        return reports;
    }
}
