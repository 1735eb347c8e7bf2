using ModelCompress.Analysis;
using ModelCompress.Execution;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Quantization;
using ModelCompress.Reports;

namespace ModelCompress.Passes;

/// <summary>Graph edits of <see cref="WeightOnlyInt8Pass"/>.</summary>
public sealed partial class WeightOnlyInt8Pass
{
    /// <inheritdoc />
    public IReadOnlyList<LayerReport> Apply(OnnxModel model, IReadOnlyList<LayerOutcome> outcomes, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(outcomes);
        ArgumentNullException.ThrowIfNull(context);
        // One layer's plan at a time (a spilled run reads each result back when its layer is rewritten); the int8
        // weights of a spilled run are read from its result in the spill file instead of staying in memory until the
        // model is written.
        var castMul = !ChooseDequantizeLinear(model, outcomes, context);
        var placement = new WeightPlacement();
        var writers = new Dictionary<OnnxGraph, QdqGraphWriter>(ReferenceEqualityComparer.Instance);
        var reports = new List<LayerReport>(outcomes.Count);
        var garbage = new GarbageBudget();
        foreach (var outcome in outcomes)
        {
            var (layer, key) = (outcome.Layer, outcome.Key);
            var q = QuantizedLinear.FromBytes(outcome.Result);
            var graph = WeightPlacement.Owner(layer);
            if (!placement.TryGetRestored(graph, layer.WeightName, out var floatName))
            {
                if (!writers.TryGetValue(graph, out var writer))
                {
                    writers[graph] = writer = new QdqGraphWriter(graph);
                }

                var nodes = writer.RestoredWeight(layer.WeightName, layer.Name, q, castMul, outcome.Int8Tensor, out floatName);
                placement.Add(graph, layer.WeightName, floatName, nodes);
            }

            WeightPlacement.Rewire(layer, graph, floatName);
            var maxError = context.WeightError(key.Hex, () => q.MaxAbsError(layer.Weights));
            layer.ReleaseWeights();
            garbage.Tick();
            reports.Add(new LayerReport(
                WeightPlacement.DisplayName(layer), layer.OpType, layer.WeightName, layer.WeightShape, key.Hex,
                BytesBefore: q.Values.LongLength * sizeof(float), // one code per weight element
                BytesAfter: q.Values.LongLength + (q.Scales.LongLength * (sizeof(float) + (castMul ? 0 : 1))),
                MaxAbsWeightError: maxError));
        }

        return reports;
    }

    /// <summary>
    /// Whether DequantizeLinear can express the results: opset 13 for per-axis scales (10 per tensor), raising an older
    /// opset when that is safe (<see cref="QdqQuantizer.TryEnsureOpset"/>, the rule the static and dynamic passes follow
    /// too). Where it is not, weight-only int8 still works — Cast·Mul is used and MC3013 says why, where static and
    /// dynamic stop with MC3110 — except below opset 7, where nothing does (MC3014).
    /// </summary>
    private static bool ChooseDequantizeLinear(OnnxModel model, IReadOnlyList<LayerOutcome> outcomes, PassContext context)
    {
        // The axis alone, from each result's first bytes: a spilled run is not read and decoded whole an extra time.
        var needed = outcomes.Any(o => QuantizedLinear.AxisOf(o.ResultHead(QuantizedLinear.AxisHeadLength)) >= 0) ? OpsetUpgrade.PerAxisDequantizeOpset : 10;
        if (outcomes.Count == 0 || QdqQuantizer.TryEnsureOpset(model, needed, out _, out var blocker))
        {
            return true;
        }

        var opset = model.GetOpsetVersion(string.Empty) ?? 0;
        if (opset < 7)
        {
            throw context.Error("MC3014", context.ModelName, opset);
        }

        context.Report("MC3013", DiagnosticSeverity.Info, context.ModelName, opset, blocker);
        return false;
    }
}
