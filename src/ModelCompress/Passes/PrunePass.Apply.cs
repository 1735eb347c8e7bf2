using System.Globalization;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Pruning;
using ModelCompress.Recipe;
using ModelCompress.Reports;

namespace ModelCompress.Passes;

/// <summary>Graph edits of <see cref="PrunePass"/>.</summary>
public sealed partial class PrunePass
{
    /// <inheritdoc />
    /// <remarks>
    /// Each layer's node gets a new initializer with its pruned weight; layers that read one tensor and got the same
    /// result share one new initializer, and layers whose masks differ (Wanda with different inputs) get one each. The
    /// old weight (an initializer or a Constant node) goes once nothing reads it — an embedding that shares it keeps it.
    /// The file does not shrink: pruned weights are stored dense, with zeros.
    /// </remarks>
    public IReadOnlyList<LayerReport> Apply(OnnxModel model, IReadOnlyList<LayerOutcome> outcomes, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(outcomes);
        ArgumentNullException.ThrowIfNull(context);
        var replaced = new ReplacedWeights(model.Graph, "_pruned");
        var reports = new List<LayerReport>(outcomes.Count);
        var method = RecipeChoices.PruneMethods.Name(_step.Method);
        foreach (var (layer, key, result) in outcomes)
        {
            var pruned = PrunedWeight.FromBytes(result);
            Warn(context, layer, pruned, method);
            var original = layer.WeightValues;
            var maxError = ReplacedWeights.MaxAbsError(original, pruned.Weights);
            replaced.Replace(layer, pruned.Weights);
            var bytes = (long)original.Length * sizeof(float);
            reports.Add(new LayerReport(layer.Name, layer.OpType, layer.WeightName, layer.WeightShape, key.Hex, bytes, bytes, maxError,
                Note: Note(pruned)));
        }

        return reports;
    }

    private string Note(PrunedWeight pruned)
    {
        var form = _step.Pattern is { } p ? p + " along the input axis" : _step.Scope == Recipe.PruneScope.Global ? "global threshold" : "unstructured";
        var note = string.Create(CultureInfo.InvariantCulture, $"sparsity {pruned.Sparsity:0.0000} ({form}); stored dense");
        if (_step.Method == Recipe.PruneMethod.Pst && pruned.ErrorBefore > 0)
        {
            note += string.Create(CultureInfo.InvariantCulture, $"; output error {pruned.ErrorBefore:0.000000} with |W| mask, {pruned.ErrorAfter:0.000000} with PST mask");
        }

        return note;
    }

    private void Warn(PassContext context, PassLayer layer, PrunedWeight pruned, string method)
    {
        if (pruned.Outcome.HasFlag(PruneOutcome.ZeroCalibration))
        {
            context.Report("MC4001", DiagnosticSeverity.Warning, layer.Name, context.ModelName, method);
        }

        if (pruned.Outcome.HasFlag(PruneOutcome.ConvByMagnitude))
        {
            context.Report("MC4003", DiagnosticSeverity.Info, layer.Name, context.ModelName, method);
        }

        if (pruned.Outcome.HasFlag(PruneOutcome.LeftDense) && _step.Pattern is { } p)
        {
            var channels = WeightLayout.For(layer.OpType, layer.WeightShape, layer.ChannelAxis).ChannelsPerPosition;
            context.Report("MC4002", DiagnosticSeverity.Warning, layer.Name, context.ModelName, channels, p.M, p);
        }

        if (pruned.Outcome.HasFlag(PruneOutcome.PstNoGain))
        {
            context.Report("MC4004", DiagnosticSeverity.Info, layer.Name, context.ModelName,
                pruned.ErrorBefore.ToString("0.000000", CultureInfo.InvariantCulture), pruned.ErrorAfter.ToString("0.000000", CultureInfo.InvariantCulture));
        }
    }
}
