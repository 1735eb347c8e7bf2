using ModelCompress.Analysis;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
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
        var useDequantizeLinear = ChooseDequantizeLinear(model, outcomes, context);
        var placement = new WeightPlacement();
        var reports = new List<LayerReport>(outcomes.Count);
        foreach (var (layer, key, result) in outcomes)
        {
            var q = QuantizedWeight.FromBytes(result);
            var graph = WeightPlacement.Owner(layer);
            if (!placement.TryGetRestored(graph, layer.WeightName, out var floatName))
            {
                var nodes = useDequantizeLinear ? DequantizeLinear(graph, layer, q, out floatName) : CastMul(graph, layer, q, out floatName);
                placement.Add(graph, layer.WeightName, floatName, nodes);
            }

            WeightPlacement.Rewire(layer, graph, floatName);
            var back = q.Dequantize();
            var weights = layer.Weights;
            var maxError = 0.0;
            for (var i = 0; i < back.Length; i++)
            {
                maxError = Math.Max(maxError, Math.Abs(back[i] - weights[i]));
            }

            layer.ReleaseWeights();
            reports.Add(new LayerReport(
                WeightPlacement.DisplayName(layer), layer.OpType, layer.WeightName, layer.WeightShape, key.Hex,
                BytesBefore: weights.LongLength * sizeof(float),
                BytesAfter: q.Values.LongLength + (q.Scales.LongLength * (sizeof(float) + (useDequantizeLinear ? 1 : 0))),
                MaxAbsWeightError: maxError));
        }

        return reports;
    }

    /// <summary>
    /// Whether DequantizeLinear can express the results: opset 13 for per-axis scales (10 per tensor), raising an older
    /// opset when that is safe. Otherwise Cast·Mul is used and MC3013 says why; below opset 7 nothing works (MC3014).
    /// </summary>
    private static bool ChooseDequantizeLinear(OnnxModel model, IReadOnlyList<LayerOutcome> outcomes, PassContext context)
    {
        var perAxis = outcomes.Any(o => QuantizedWeight.FromBytes(o.Result).Axis >= 0);
        var needed = perAxis ? OpsetUpgrade.PerAxisDequantizeOpset : 10;
        var opset = model.GetOpsetVersion(string.Empty) ?? 0;
        if (opset >= needed || outcomes.Count == 0)
        {
            return true;
        }

        if (OpsetUpgrade.CanRaiseTo13(model, out var blocker))
        {
            OpsetUpgrade.RaiseTo13(model);
            return true;
        }

        if (opset < 7)
        {
            throw context.Error("MC3014", context.ModelName, opset);
        }

        context.Report("MC3013", DiagnosticSeverity.Info, context.ModelName, opset, blocker);
        return false;
    }

    /// <summary>x = DequantizeLinear(q, scale, zero_point = 0, axis) — ONNX's y = (x − zp) · scale.</summary>
    private static OnnxNode[] DequantizeLinear(OnnxGraph graph, PassLayer layer, QuantizedWeight q, out string output)
    {
        var baseName = layer.WeightName;
        var qName = graph.UniqueName(baseName + "_quantized");
        var scaleName = graph.UniqueName(baseName + "_scale");
        var zeroName = graph.UniqueName(baseName + "_zero_point");
        output = graph.UniqueName(baseName + "_dequantized");
        long[] scaleDims = q.Axis >= 0 ? [q.Scales.Length] : [];
        graph.AddInitializer(OnnxTensor.FromInt8(qName, [.. q.Shape], q.Values));
        graph.AddInitializer(OnnxTensor.FromFloats(scaleName, scaleDims, q.Scales));
        graph.AddInitializer(OnnxTensor.FromInt8(zeroName, scaleDims, new sbyte[q.Scales.Length]));
        var node = new OnnxNode("DequantizeLinear", [qName, scaleName, zeroName], [output], graph.UniqueName(layer.Name + "/weight/DequantizeLinear"));
        if (q.Axis >= 0)
        {
            node.SetAttribute("axis", q.Axis);
        }

        return [node];
    }

    /// <summary>x = Cast(q → float) · scale, with the scale shaped to broadcast along the channel axis.</summary>
    private static OnnxNode[] CastMul(OnnxGraph graph, PassLayer layer, QuantizedWeight q, out string output)
    {
        var baseName = layer.WeightName;
        var qName = graph.UniqueName(baseName + "_quantized");
        var scaleName = graph.UniqueName(baseName + "_scale");
        var castName = graph.UniqueName(baseName + "_int8_as_float");
        output = graph.UniqueName(baseName + "_dequantized");
        var scaleDims = q.Axis >= 0 ? q.Shape.Select((d, i) => i == q.Axis ? d : 1L).ToArray() : [];
        graph.AddInitializer(OnnxTensor.FromInt8(qName, [.. q.Shape], q.Values));
        graph.AddInitializer(OnnxTensor.FromFloats(scaleName, scaleDims, q.Scales));
        var cast = new OnnxNode("Cast", [qName], [castName], graph.UniqueName(layer.Name + "/weight/Cast"));
        cast.SetAttribute("to", (long)TensorDataType.Float);
        var mul = new OnnxNode("Mul", [castName, scaleName], [output], graph.UniqueName(layer.Name + "/weight/Mul"));
        return [cast, mul];
    }
}
