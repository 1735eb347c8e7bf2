using System.Globalization;
using ModelCompress.Onnx;
using ModelCompress.Reports;

namespace ModelCompress.Passes;

/// <summary>Graph edits of <see cref="DistillPass"/>: each re-fitted parameter replaces the tensor it came from.</summary>
public sealed partial class DistillPass
{
    /// <inheritdoc />
    public IReadOnlyList<LayerReport> Apply(OnnxModel model, IReadOnlyList<LayerOutcome> outcomes, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(outcomes);
        var graph = model.Graph;
        var reports = new List<LayerReport>(outcomes.Count);
        foreach (var (layer, key, result) in outcomes)
        {
            var t = _targets[layer.Node];
            var fit = DistilledLayer.FromBytes(result);
            var bytes = ApplyOne(graph, t, fit);
            reports.Add(new LayerReport(
                layer.Name, layer.OpType, layer.WeightName, layer.WeightShape, key.Hex, bytes, bytes, MaxAbsWeightError: null,
                Note: string.Create(CultureInfo.InvariantCulture,
                    $"{t.Kind.ToString().ToLowerInvariant()}: MSE vs the teacher's output {fit.Before:G4} -> {fit.After:G4}")));
        }

        return reports;
    }

    /// <summary>Puts one layer's re-fitted parameters into <paramref name="graph"/>; returns their bytes.</summary>
    private static long ApplyOne(OnnxGraph graph, DistillTarget t, DistilledLayer fit)
    {
        long bytes;
        switch (t.Kind)
        {
            case DistillKind.Quantized:
                var stored = Storage(fit.Parameters, t);
                var name = graph.UniqueName(t.ParameterName + "_distilled");
                long[] dims = t.Transposed ? [t.N, t.K] : [t.K, t.N];
                graph.AddInitializer(t.QType switch
                {
                    TensorDataType.Int8 => OnnxTensor.FromInt8(name, dims, [.. stored.Select(v => (sbyte)v)]),
                    TensorDataType.Int4 => OnnxTensor.FromInt4(name, dims, [.. stored.Select(v => (sbyte)v)]),
                    TensorDataType.UInt4 => OnnxTensor.FromUInt4(name, dims, [.. stored.Select(v => (byte)v)]),
                    _ => OnnxTensor.FromUInt8(name, dims, [.. stored.Select(v => (byte)v)]),
                });
                Replace(graph, t.ParameterReader!, 0, name);
                bytes = t.QType is TensorDataType.Int4 or TensorDataType.UInt4 ? (stored.Length + 1) / 2 : stored.Length;
                break;
            case DistillKind.Clustered:
                graph.SetInitializer(OnnxTensor.FromFloats(t.ParameterName, [fit.Parameters.Length], fit.Parameters));
                bytes = fit.Parameters.Length * sizeof(float);
                break;
            case DistillKind.LowRank:
                var a = graph.UniqueName(t.ParameterName + "_distilled");
                var b = graph.UniqueName(t.Node.Inputs[1] + "_distilled");
                graph.AddInitializer(OnnxTensor.FromFloats(a, [t.K, t.Rank], fit.Parameters));
                graph.AddInitializer(OnnxTensor.FromFloats(b, [t.Rank, t.N], fit.Second));
                Replace(graph, t.ParameterReader!, 1, a);
                Replace(graph, t.Node, 1, b);
                bytes = (fit.Parameters.Length + fit.Second.Length) * sizeof(float);
                break;
            default:
                var weight = graph.UniqueName(t.ParameterName + "_distilled");
                graph.AddInitializer(t.Patches is { } patches
                    ? OnnxTensor.FromFloats(weight, patches.WeightDims, fit.Parameters)
                    : OnnxTensor.FromFloats(weight, t.Transposed ? [t.N, t.K] : [t.K, t.N], Storage(fit.Parameters, t)));
                Replace(graph, t.Node, 1, weight);
                bytes = fit.Parameters.Length * sizeof(float);
                break;
        }

        if (fit.Bias is { } bias && t.BiasName is { } biasName && t.BiasReader is { } reader)
        {
            var newBias = graph.UniqueName(biasName + "_distilled");
            var dims = graph.Initializers[biasName].Dims;
            graph.AddInitializer(OnnxTensor.FromFloats(newBias, dims, [.. bias.Select(v => v / t.BiasScale)]));
            Replace(graph, reader, reader.Inputs.IndexOf(biasName), newBias);
        }

        return bytes;
    }

    /// <summary>A [K, N] array in the layout the graph stores it ([N, K] for a Gemm with transB).</summary>
    private static float[] Storage(float[] kn, DistillTarget t) =>
        t.Transposed ? Quantization.LayerFitProblem.Transpose(kn, t.K, t.N) : kn;

    private static void Replace(OnnxGraph graph, OnnxNode reader, int input, string value)
    {
        var old = reader.Inputs[input];
        reader.Inputs[input] = value;
        UnusedWeights.Remove(graph, old);
    }
}
