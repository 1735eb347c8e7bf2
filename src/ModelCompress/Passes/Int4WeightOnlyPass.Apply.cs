using ModelCompress.Analysis;
using ModelCompress.Execution;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Quantization;
using ModelCompress.Reports;

namespace ModelCompress.Passes;

/// <summary>Graph edits of <see cref="Int4WeightOnlyPass"/>: a blocked DequantizeLinear per weight.</summary>
public sealed partial class Int4WeightOnlyPass
{
    /// <inheritdoc />
    public IReadOnlyList<LayerReport> Apply(OnnxModel model, IReadOnlyList<LayerOutcome> outcomes, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(outcomes);
        ArgumentNullException.ThrowIfNull(context);
        if (outcomes.Count == 0)
        {
            return [];
        }

        if (!OpsetUpgrade.CanRaiseTo21(model, out var blocker))
        {
            throw context.Error("MC3203", context.ModelName, model.GetOpsetVersion(string.Empty) ?? 0, blocker);
        }

        OpsetUpgrade.RaiseTo21(model);
        // A spilled run (external weights) keeps the codes, scales and zero points it puts in the graph in its spill
        // file instead of memory, and reads each layer's float weights once more only for its error column.
        Func<OnnxTensor, OnnxTensor> keep = outcomes[0].Spill is { } spill ? spill.Keep : t => t;
        var placement = new WeightPlacement();
        var reports = new List<LayerReport>(outcomes.Count);
        var garbage = new GarbageBudget();
        foreach (var (layer, key, result) in outcomes)
        {
            var q = Int4Weight.FromBytes(result);
            if (q.Fallback.Length > 0)
            {
                context.Report("MC3202", DiagnosticSeverity.Warning, layer.Name, context.ModelName, q.Fallback);
            }

            var graph = WeightPlacement.Owner(layer);
            if (!placement.TryGetRestored(graph, layer.WeightName, out var floatName))
            {
                var node = DequantizeLinear(graph, layer, q, keep, out floatName);
                placement.Add(graph, layer.WeightName, floatName, [node]);
            }

            WeightPlacement.Rewire(layer, graph, floatName);
            var maxError = context.WeightError(key.Hex, () => MaxError(layer, q));
            layer.ReleaseWeights();
            garbage.Tick();
            reports.Add(new LayerReport(
                layer.Name, layer.OpType, layer.WeightName, layer.WeightShape, key.Hex,
                BytesBefore: (long)q.Inputs * q.Outputs * sizeof(float),
                BytesAfter: StoredBytes(q),
                MaxAbsWeightError: maxError,
                Note: q.Fallback.Length > 0 ? "rounded to nearest: " + q.Fallback : null));
        }

        return reports;
    }

    /// <summary>Bytes on disk: two codes per byte, a float scale per block, and for uint4 two zero points per byte.</summary>
    internal static long StoredBytes(Int4Weight q) =>
        (((long)q.Inputs * q.Outputs) + 1) / 2 + (4L * q.Grids.Length) + (q.Symmetric ? 0 : (q.Grids.Length + 1) / 2);

    /// <summary>
    /// y = DequantizeLinear(codes, scale, zero_point; axis, block_size) — ONNX's blocked form: element i of the axis
    /// uses scale[⌊i / block_size⌋]. Blocks run along K, so for a MatMul weight [K, N] the axis is 0 and the scale is
    /// [⌈K / block⌉, N] (the layout ONNX Runtime fuses into MatMulNBits); a Gemm with transB ([N, K]) uses axis 1.
    /// </summary>
    private static OnnxNode DequantizeLinear(OnnxGraph graph, PassLayer layer, Int4Weight q, Func<OnnxTensor, OnnxTensor> keep, out string output)
    {
        var transposed = layer.ChannelAxis == 0;
        var (n, k, blocks) = (q.Outputs, q.Inputs, q.Blocks);
        long[] dims = transposed ? [n, k] : [k, n];
        long[] scaleDims = transposed ? [n, blocks] : [blocks, n];
        var codes = new sbyte[(long)n * k];
        var scales = new float[q.Grids.Length];
        var zeros = new byte[q.Grids.Length];
        for (var r = 0; r < n; r++)
        {
            for (var c = 0; c < k; c++)
            {
                codes[transposed ? (r * k) + c : (c * n) + r] = (sbyte)q.Codes[(r * k) + c];
            }

            for (var b = 0; b < blocks; b++)
            {
                var g = q.Grids[(r * blocks) + b];
                var at = transposed ? (r * blocks) + b : (b * n) + r;
                scales[at] = g.Scale;
                zeros[at] = (byte)g.Zero;
            }
        }

        var baseName = layer.WeightName;
        var codeName = graph.UniqueName(baseName + "_int4");
        var scaleName = graph.UniqueName(baseName + "_scale");
        output = graph.UniqueName(baseName + "_dequantized");
        List<string> inputs = [codeName, scaleName];
        if (q.Symmetric)
        {
            graph.AddInitializer(keep(OnnxTensor.FromInt4(codeName, dims, codes)));
        }
        else
        {
            var zeroName = graph.UniqueName(baseName + "_zero_point");
            graph.AddInitializer(keep(OnnxTensor.FromUInt4(codeName, dims, System.Runtime.InteropServices.MemoryMarshal.AsBytes(codes.AsSpan()))));
            graph.AddInitializer(keep(OnnxTensor.FromUInt4(zeroName, scaleDims, zeros)));
            inputs.Add(zeroName);
        }

        graph.AddInitializer(keep(OnnxTensor.FromFloats(scaleName, scaleDims, scales)));
        var node = new OnnxNode("DequantizeLinear", inputs, [output], graph.UniqueName(layer.Name + "/weight/DequantizeLinear"));
        node.SetAttribute("axis", transposed ? 1L : 0L);
        node.SetAttribute("block_size", (long)q.BlockSize);
        return node;
    }

    /// <summary>The largest |dequantized − float| over the weight, read in place (no row-major copy of a large weight).</summary>
    private static double MaxError(PassLayer layer, Int4Weight q)
    {
        var w = layer.WeightValues;
        var (d0, d1) = ((int)layer.WeightShape[0], (int)layer.WeightShape[1]);
        var transposed = layer.ChannelAxis == 0;
        var max = 0.0;
        for (var a = 0; a < d0; a++)
        {
            for (var b = 0; b < d1; b++)
            {
                var (r, c) = transposed ? (a, b) : (b, a);
                max = Math.Max(max, Math.Abs(q.Value(r, c) - (double)w[(a * d1) + b]));
            }
        }

        return max;
    }
}
