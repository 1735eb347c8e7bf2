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
        var replaced = new ReplacedWeights(model.Graph, "_sparse");
        var reports = new List<LayerReport>(outcomes.Count);
        foreach (var (layer, key, result) in outcomes)
        {
            var (fallback, weights) = Decode(result);
            if (fallback.StartsWith(LeftDense, StringComparison.Ordinal))
            {
                var channels = Pruning.WeightLayout.Conv(layer.WeightShape).ChannelsPerPosition;
                context.Report("MC4002", DiagnosticSeverity.Warning, layer.Name, context.ModelName, channels, fallback[LeftDense.Length..], _step.Pattern);
                fallback = string.Empty;
            }
            else if (fallback.Length > 0)
            {
                context.Report("MC4040", DiagnosticSeverity.Warning, layer.Name, context.ModelName, fallback);
            }

            var maxError = ReplacedWeights.MaxAbsError(layer.WeightValues, weights);
            var zeros = weights.LongCount(w => w == 0);
            replaced.Replace(layer, weights);

            var bytes = weights.LongLength * sizeof(float);
            reports.Add(new LayerReport(
                layer.Name, layer.OpType, layer.WeightName, layer.WeightShape, key.Hex, bytes, bytes, maxError,
                Note: FormattableString.Invariant($"sparsity {(double)zeros / Math.Max(1, weights.Length):F4}") + (fallback.Length > 0 ? "; magnitude: " + fallback : string.Empty)));
        }

        return reports;
    }
}
