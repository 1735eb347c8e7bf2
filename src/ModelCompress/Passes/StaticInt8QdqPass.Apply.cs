using System.Globalization;
using ModelCompress.Analysis;
using ModelCompress.Calibration;
using ModelCompress.Execution;
using ModelCompress.Kernels;
using ModelCompress.Onnx;
using ModelCompress.Quantization;
using ModelCompress.Recipe;
using ModelCompress.Reports;

namespace ModelCompress.Passes;

/// <summary>Graph edits of <see cref="StaticInt8QdqPass"/>.</summary>
public sealed partial class StaticInt8QdqPass
{
    /// <inheritdoc />
    public IReadOnlyList<LayerReport> Apply(OnnxModel model, IReadOnlyList<LayerOutcome> outcomes, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(outcomes);
        var analysis = _analysis.Take(model);
        var tables = QdqQuantizer.Select(analysis.Embeddings, e => e.Node, _step).Select(t => (t, QdqQuantizer.PlanTable(t, _step))).ToList();
        if (outcomes.Count + tables.Count > 0)
        {
            QdqQuantizer.EnsureOpset(model);
        }

        var outputs = ConvOutputPlans(outcomes.Select(o => o.Layer.AnalyzedLayer.Node).ToHashSet());
        var reports = new List<LayerReport>(outcomes.Count + tables.Count);

        // A spilled run (weights not held in memory) keeps its int8 weights in the spill file with its results.
        Func<string, long[], sbyte[], OnnxTensor>? int8Tensor = outcomes.Count > 0 && outcomes[0].Spill is { } spill ? spill.Int8Tensor : null;
        QdqQuantizer.ApplyStatic(model, Plans(outcomes, reports), tables, _step, outputs, _chains, int8Tensor);
        if (outputs.Count > 0)
        {
            // Once the convolutions run int8, the float hard-swish between them is what remains to cost (see the type).
            HardSwishFusion.Apply(model.Graph);
        }

        foreach (var (table, plan) in tables)
        {
            // Tables need no calibration and cost one pass over their values: written directly, not through the cache.
            reports.Add(WeightReport(table.Name, "Gather", table.TableName, table.Table.Dims, string.Empty, table.Table.AsSpan<float>(), plan,
                "embedding table, int8 per row"));
        }

        return reports;
    }

    /// <summary>
    /// Each outcome's plan in turn (a spilled result is read back only now); once its layer is written, its report row
    /// is added and the weight values it read for its rounding error dropped, so one layer's plan is held at a time.
    /// </summary>
    private IEnumerable<(LinearLayer Layer, QuantizedLinear Plan)> Plans(IReadOnlyList<LayerOutcome> outcomes, List<LayerReport> reports)
    {
        var garbage = new GarbageBudget();
        foreach (var (layer, key, result) in outcomes)
        {
            var plan = QuantizedLinear.FromBytes(result);
            yield return (layer.AnalyzedLayer, plan);
            var p = plan.Activation.GetValueOrDefault();
            var note = string.Create(CultureInfo.InvariantCulture,
                $"input {RecipeChoices.RangeMethod.Name(_step.Method)} range [{plan.ActivationMin:G6}, {plan.ActivationMax:G6}], scale {p.Scale:G6}, zero point {p.ZeroPoint}");
            reports.Add(WeightReport(layer.Name, layer.OpType, layer.WeightName, layer.WeightShape, key.Hex, layer.WeightValues, plan, note));
            garbage.Tick();
        }
    }

    /// <summary>
    /// The output parameters of each Conv unit whose layer is being quantized, from the ranges calibration gathered
    /// (none without them: an Apply not preceded by the engine's calibration keeps Conv outputs float).
    /// </summary>
    private List<(ConvOutputUnit Unit, QuantizationParameters P)> ConvOutputPlans(HashSet<OnnxNode> quantized)
    {
        if (_ranges is not { } ranges)
        {
            return [];
        }

        var symmetric = _step.Activations == QuantizeActivationType.Int8;
        return [.. _units.Where(u => quantized.Contains(u.Layer.Node)).Select(u =>
        {
            var s = ranges[u.Output];
            var (min, max) = TensorStatistics.RangeOf(s.TensorMin, s.TensorMax, s.Histogram, _step.Method, _step.Percentile, symmetric, u.Output);
            return (u, QdqGraphWriter.ActivationParameters(min, max, QdqQuantizer.ActivationType(_step)));
        })];
    }

    /// <summary>A report row for an int8 weight: sizes (values, scales and zero points) and the largest rounding error.</summary>
    internal static LayerReport WeightReport(
        string name, string op, string weight, IReadOnlyList<long> shape, string key, ReadOnlySpan<float> original, QuantizedLinear plan, string? note) =>
        new(name, op, weight, shape, key, (long)original.Length * sizeof(float),
            plan.Values.LongLength + (plan.Scales.LongLength * (sizeof(float) + 1)), plan.MaxAbsError(original), Note: note);

    /// <summary>The same row with the weight's element count (one int8 code each) and rounding error given, read back or measured by the caller.</summary>
    internal static LayerReport WeightReport(
        string name, string op, string weight, IReadOnlyList<long> shape, string key, long weightElements, QuantizedLinear plan, double? maxAbsError, string? note) =>
        new(name, op, weight, shape, key, weightElements * sizeof(float),
            plan.Values.LongLength + (plan.Scales.LongLength * (sizeof(float) + 1)), maxAbsError, Note: note);
}
