using ModelCompress.Analysis;
using ModelCompress.Calibration;
using ModelCompress.Quantization;
using ModelCompress.Recipe;

namespace ModelCompress.Passes;

/// <summary>
/// <c>algorithm: gptq</c> on int8 weights: the weights handed to the quantizer are first rounded by GPTQ on their
/// own int8 grid (<see cref="Int8GptqRounding"/>), from the Hessian of each layer's input — a MatMul/Gemm's input,
/// or a Conv's unfolded input patches per group (<see cref="ConvPatches"/>, gathered in the same calibration run as
/// the ranges). Layers whose Hessian is missing or cannot be factored, and rows where GPTQ would move the output more,
/// keep round-to-nearest.
/// </summary>
public sealed partial class StaticInt8QdqPass
{
    /// <summary>Whether int8 weights are rounded by GPTQ.</summary>
    private bool Gptq => _step.Weights == QuantizeWeightType.Int8 && _step.Algorithm == Int4Algorithm.Gptq;

    /// <summary>The patch views whose Hessians GPTQ needs (one per 1-D or 2-D Conv layer), none without GPTQ.</summary>
    private IEnumerable<string> PatchViews(IEnumerable<LinearLayer> layers) => Gptq
        ? layers.Where(l => l.Kind == LinearLayerKind.Conv && l.Weight.Rank is 3 or 4).Select(l => ConvPatches.ViewName(l.Node))
        : [];

    /// <summary>The weights the quantizer rounds: the layer's own, or with GPTQ the ones it rounded on their grid.</summary>
    private float[] WeightsToQuantize(PassLayer layer, LayerInputStatistics statistics)
    {
        if (!Gptq)
        {
            return layer.Weights;
        }

        if (layer.Node.OpType != "Conv")
        {
            if (layer.WeightShape.Count != 2 || statistics.Hessian is not { } hessian)
            {
                return layer.Weights;
            }

            var (outputs, inputs, rows) = Int4WeightOnlyPass.RowsOf(layer);
            if (hessian.Channels != inputs)
            {
                return layer.Weights;
            }

            var (scales, anchors) = Int8GptqRounding.Grid(rows, outputs, inputs, _step.PerChannel);
            Int8GptqRounding.Round(rows, outputs, hessian.Matrix(), _step.PercDamp, scales, anchors);
            return ToLayout(rows, outputs, inputs, layer.ChannelAxis == 0);
        }

        return _ranges is not null && _ranges.TryGetValue(ConvPatches.ViewName(layer.Node), out var patches) ? RoundConv(layer, patches) : layer.Weights;
    }

    /// <summary>A Conv kernel [M, C/g, k…] rounded group by group: group g's M/g rows on its patch Hessian.</summary>
    private float[] RoundConv(PassLayer layer, LayerInputStatistics patches)
    {
        var groups = (int)layer.Node.GetInt("group", 1);
        var hessians = groups == 1 && patches.Hessian is { } single ? [single] : patches.GroupHessians;
        var m = (int)layer.WeightShape[0];
        var k = layer.Weights.Length / m;
        if (hessians is null || hessians.Count != groups || m % groups != 0 || hessians.Any(h => h.Channels != k))
        {
            return layer.Weights;
        }

        var all = Array.ConvertAll(layer.Weights, w => (double)w);
        var (scales, anchors) = Int8GptqRounding.Grid(all, m, k, _step.PerChannel);
        var perGroup = m / groups;
        for (var g = 0; g < groups; g++)
        {
            var rows = all.AsSpan(g * perGroup * k, perGroup * k).ToArray();
            Int8GptqRounding.Round(rows, perGroup, hessians[g].Matrix(), _step.PercDamp, scales, anchors, g * perGroup);
            rows.CopyTo(all, g * perGroup * k);
        }

        return Array.ConvertAll(all, w => (float)w);
    }

    /// <summary>W [N, K] rows back in the weight's layout: [K, N], or [N, K] when <paramref name="rowMajor"/>.</summary>
    private static float[] ToLayout(double[] rows, int outputs, int inputs, bool rowMajor)
    {
        var w = new float[rows.Length];
        for (var r = 0; r < outputs; r++)
        {
            for (var c = 0; c < inputs; c++)
            {
                w[rowMajor ? (r * inputs) + c : (c * outputs) + r] = (float)rows[((long)r * inputs) + c];
            }
        }

        return w;
    }
}
