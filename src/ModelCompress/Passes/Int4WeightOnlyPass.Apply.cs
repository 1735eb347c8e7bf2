using ModelCompress.Analysis;
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
        var placement = new WeightPlacement();
        var reports = new List<LayerReport>(outcomes.Count);
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
                var node = DequantizeLinear(graph, layer, q, out floatName);
                placement.Add(graph, layer.WeightName, floatName, [node]);
            }

            WeightPlacement.Rewire(layer, graph, floatName);
            reports.Add(new LayerReport(
                layer.Name, layer.OpType, layer.WeightName, layer.WeightShape, key.Hex,
                BytesBefore: (long)q.Inputs * q.Outputs * sizeof(float),
                BytesAfter: StoredBytes(q),
                MaxAbsWeightError: context.WeightError(key.Hex, () => MaxError(layer, q)),
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
    private static OnnxNode DequantizeLinear(OnnxGraph graph, PassLayer layer, Int4Weight q, out string output)
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
            graph.AddInitializer(OnnxTensor.FromInt4(codeName, dims, codes));
        }
        else
        {
            var zeroName = graph.UniqueName(baseName + "_zero_point");
            graph.AddInitializer(OnnxTensor.FromUInt4(codeName, dims, System.Runtime.InteropServices.MemoryMarshal.AsBytes(codes.AsSpan())));
            graph.AddInitializer(OnnxTensor.FromUInt4(zeroName, scaleDims, zeros));
            inputs.Add(zeroName);
        }

        graph.AddInitializer(OnnxTensor.FromFloats(scaleName, scaleDims, scales));
        var node = new OnnxNode("DequantizeLinear", inputs, [output], graph.UniqueName(layer.Name + "/weight/DequantizeLinear"));
        node.SetAttribute("axis", transposed ? 1L : 0L);
        node.SetAttribute("block_size", (long)q.BlockSize);
        return node;
    }

    private static double MaxError(PassLayer layer, Int4Weight q)
    {
        var (_, k, rows) = RowsOf(layer);
        var max = 0.0;
        for (var r = 0; r < q.Outputs; r++)
        {
            for (var c = 0; c < k; c++)
            {
                max = Math.Max(max, Math.Abs(q.Value(r, c) - rows[((long)r * k) + c]));
            }
        }

        return max;
    }
}
