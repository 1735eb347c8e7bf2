using System.Runtime.InteropServices;
using System.Security.Cryptography;
using ModelCompress.Analysis;
using ModelCompress.Calibration;
using ModelCompress.Execution;
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
    /// <remarks>
    /// One layer at a time: its result is decoded, its layer rewritten and its report row made before the next result
    /// is read, so a spilled run (<see cref="LayerOutcome.Spill"/>) holds one layer's plan, and its int8 weights are read
    /// from its result in the spill file rather than staying in memory until the model is written.
    /// </remarks>
    public IReadOnlyList<LayerReport> Apply(OnnxModel model, IReadOnlyList<LayerOutcome> outcomes, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(outcomes);
        var analysis = _analysis.Take(model);
        var tableReports = new List<LayerReport>();
        var tables = QdqQuantizer.Select(analysis.Embeddings, e => e.Node, _step).Select(t =>
        {
            var (plan, error) = TablePlan(t, context);
            tableReports.Add(StaticInt8QdqPass.WeightReport(t.Name, "Gather", t.TableName, t.Table.Dims, string.Empty, t.Table.ElementCount, plan, error,
                "embedding table, int8 per row"));
            return (t, plan);
        }).ToList();
        if (outcomes.Count + tables.Count > 0)
        {
            QdqQuantizer.EnsureOpset(model);
        }

        var reports = new List<LayerReport>(outcomes.Count + tables.Count);
        DynamicQuantizer.ApplyPlans(model, Plans(outcomes, context, reports), tables);
        reports.AddRange(tableReports);
        return reports;
    }

    /// <summary>
    /// An embedding table's plan and largest rounding error: read back for the model as it stood (a rebuild of an
    /// unchanged model neither reads the table's floats nor quantizes it again), else computed from one read of its
    /// values (a 32000 × 2048 table is 262 MB).
    /// </summary>
    private static (QuantizedLinear Plan, double Error) TablePlan(EmbeddingTable table, PassContext context)
    {
        (QuantizedLinear, double) Compute()
        {
            var values = table.Table.ToFloatArray();
            var plan = QdqQuantizer.PlanTable(table, values);
            return (plan, plan.MaxAbsError(values));
        }

        var stored = context.FromModel("embedding-table:" + table.TableName, () =>
        {
            var (plan, error) = Compute();
            return [.. BitConverter.GetBytes(error), .. plan.ToBytes()];
        });
        try
        {
            return (QuantizedLinear.FromBytes(stored[sizeof(double)..]), BitConverter.ToDouble(stored, 0));
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException)
        {
            return Compute();
        }
    }

    /// <summary>Each outcome's plan in turn; once its layer is rewritten, its report row is added and its weights dropped.</summary>
    private static IEnumerable<(LinearLayer Layer, QuantizedLinear Plan, Func<string, long[], sbyte[], OnnxTensor> Int8Tensor)> Plans(
        IReadOnlyList<LayerOutcome> outcomes, PassContext context, List<LayerReport> reports)
    {
        var garbage = new GarbageBudget();
        foreach (var outcome in outcomes)
        {
            var (layer, key) = (outcome.Layer, outcome.Key);
            var plan = QuantizedLinear.FromBytes(outcome.Result);
            yield return (layer.AnalyzedLayer, plan, outcome.Int8Tensor);
            reports.Add(StaticInt8QdqPass.WeightReport(layer.Name, layer.OpType, layer.WeightName, layer.WeightShape, key.Hex,
                plan.Values.LongLength, plan, context.WeightError(key.Hex, () => plan.MaxAbsError(layer.Weights)),
                "input quantized at run time (DynamicQuantizeLinear)"));
            layer.ReleaseWeights();
            garbage.Tick();
        }
    }
}
