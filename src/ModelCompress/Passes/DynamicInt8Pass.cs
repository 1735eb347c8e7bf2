using System.Runtime.InteropServices;
using System.Security.Cryptography;
using ModelCompress.Analysis;
using ModelCompress.Calibration;
using ModelCompress.Onnx;
using ModelCompress.Quantization;
using ModelCompress.Recipe;
using ModelCompress.Reports;

namespace ModelCompress.Passes;

/// <summary>
/// Dynamic int8 quantization (<see cref="DynamicQuantizer"/>): weights are int8 ahead of time, each input is quantized
/// at run time (DynamicQuantizeLinear → MatMulInteger, which ONNX Runtime fuses). Needs no calibration; a layer's work
/// is its weight's quantization, cached per layer; layers inside If/Loop/Scan subgraphs are rewritten in their own
/// graph. Conv layers, and Gemm with beta ≠ 1 and a computed bias, stay float.
/// </summary>
public sealed class DynamicInt8Pass : IWeightStreamingPass
{
    private readonly QuantizeStep _step;
    private readonly AnalysisHandOver _analysis = new();

    /// <summary>Creates the pass for a <c>quantize</c> step with <c>mode: dynamic</c>.</summary>
    public DynamicInt8Pass(QuantizeStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        _step = step;
    }

    /// <inheritdoc />
    public string Name => "dynamic_int8";

    /// <inheritdoc />
    public string SettingsFingerprint => _step.SettingsFingerprint();

    /// <inheritdoc />
    public bool RequiresCalibration => false;

    /// <inheritdoc />
    public IReadOnlyList<PassLayer> FindLayers(OnnxModel model, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        return [.. StaticInt8QdqPass.Included(_analysis.Find(model).AllLayers, _step)
            .Where(l => DynamicQuantizer.Supports(l.Node.Graph ?? model.Graph, l))
            .Select(l => new PassLayer(l.Node, 1, l.WeightName, [l.InFeatures, l.OutFeatures], 1, l.InputName, l.WeightKN, () => KNHash(l)) { Layer = l })];
    }

    /// <summary>
    /// SHA-256 of the layer's [K, N] weight bytes (what its key holds) without keeping them: streamed from an external
    /// data file when they lie there in that order, so hashing a large model's weights holds one buffer, not a layer.
    /// </summary>
    private static byte[] KNHash(LinearLayer layer)
    {
        if (layer.Weight.IsExternal && layer.Weight.DataType == TensorDataType.Float && !layer.TransposedWeight)
        {
            using var stream = layer.Weight.OpenRawDataStream();
            return SHA256.HashData(stream);
        }

        return SHA256.HashData(MemoryMarshal.AsBytes(layer.WeightKN().AsSpan()));
    }

    /// <inheritdoc />
    public byte[] ComputeLayer(PassLayer layer, LayerInputStatistics? statistics, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ct.ThrowIfCancellationRequested();
        return QuantizedLinear.Weight(layer.Weights, [.. layer.WeightShape], 1, _step.PerChannel).ToBytes();
    }

    /// <inheritdoc />
    public IReadOnlyList<LayerReport> Apply(OnnxModel model, IReadOnlyList<LayerOutcome> outcomes, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(outcomes);
        var analysis = _analysis.Take(model);
        var plans = outcomes.Select(o => (Layer: o.Layer.AnalyzedLayer, Plan: QuantizedLinear.FromBytes(o.Result))).ToList();
        var tables = QdqQuantizer.Select(analysis.Embeddings, e => e.Node, _step).Select(t => (t, QdqQuantizer.PlanTable(t, _step))).ToList();
        if (plans.Count + tables.Count > 0)
        {
            QdqQuantizer.EnsureOpset(model);
        }

        DynamicQuantizer.ApplyPlans(model, plans, tables);
        var reports = new List<LayerReport>(outcomes.Count + tables.Count);
        for (var i = 0; i < outcomes.Count; i++)
        {
            var (layer, key, _) = outcomes[i];
            var plan = plans[i].Plan;
            reports.Add(StaticInt8QdqPass.WeightReport(layer.Name, layer.OpType, layer.WeightName, layer.WeightShape, key.Hex,
                plan.Values.LongLength, plan, context.WeightError(key.Hex, () => plan.MaxAbsError(layer.Weights)),
                "input quantized at run time (DynamicQuantizeLinear)"));
            layer.ReleaseWeights();
        }

        foreach (var (table, plan) in tables)
        {
            reports.Add(StaticInt8QdqPass.WeightReport(table.Name, "Gather", table.TableName, table.Table.Dims, string.Empty, table.Table.ToFloatArray(), plan,
                "embedding table, int8 per row"));
        }

        return reports;
    }
}
