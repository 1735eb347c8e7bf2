using System.Collections.Immutable;
using ModelCompress.Analysis;
using ModelCompress.Onnx;
using ModelCompress.Passes;
using ModelCompress.Quantization;
using ModelCompress.Recipe;

namespace ModelCompress.Engine;

/// <summary>
/// The candidates of a tuning run and their order. The default space follows Intel Neural Compressor's tuning space
/// for ONNX models: weight-only, dynamic and static int8, static calibration by minmax, percentile and entropy,
/// SmoothQuant off / α=0.5 / auto, per-channel and per-tensor scales, and int4 (RTN and GPTQ, blocks of 32 and 128).
/// Pruning is not in it: the engine stores pruned weights densely, so pruning alone makes a model neither smaller
/// nor faster; list a prune step in an explicit candidate to try it. The op-wise fallback of the worst layers comes
/// last, through <c>verify.on_regression: fallback</c>.
/// </summary>
internal static class TuneSpace
{
    /// <summary>The candidates in the recipe's order (explicit) or the default space's order, numbered from 1.</summary>
    public static IReadOnlyList<TunePlan> Candidates(ModelRecipe model, TuneSettings tune, OnnxModel source)
    {
        var lists = Lists(model, tune);
        var analysis = GraphAnalyzer.Analyze(source);
        return [.. lists.Select((steps, i) => new TunePlan(i + 1, TuneLabels.Describe(steps), steps, ExpectedBytes(source, analysis, steps), SpeedRank(steps)))];
    }

    /// <summary>The candidates' step lists, numbered from 1 by position.</summary>
    public static List<ImmutableArray<StepRecipe>> Lists(ModelRecipe model, TuneSettings tune) => tune.UsesDefaultSpace
        ? DefaultSpace(model.Calibration is not null, tune.Location)
        : [.. tune.Candidates.Select(c => c.Steps)];

    /// <summary>
    /// The order the trials run in. Size: smallest expected size first, sizes within 0.5 % of the source counting as equal
    /// (a per-tensor scale saves bytes no one would trade accuracy for); latency: fastest expected kind first; ties
    /// keep the list order, which puts the cheaper and more conventional candidate first. Accuracy: the list order.
    /// </summary>
    public static IReadOnlyList<TunePlan> Order(IReadOnlyList<TunePlan> plans, TuneObjective objective, long sourceBytes)
    {
        var unit = Math.Max(1, sourceBytes / 200);
        return objective switch
        {
            TuneObjective.Size => [.. plans.OrderBy(p => (p.ExpectedBytes + unit - 1) / unit).ThenBy(p => p.Number)],
            TuneObjective.Latency => [.. plans.OrderBy(p => p.SpeedRank).ThenBy(p => p.ExpectedBytes / unit).ThenBy(p => p.Number)],
            _ => [.. plans.OrderBy(p => p.Number)],
        };
    }

    private static List<ImmutableArray<StepRecipe>> DefaultSpace(bool calibrated, SourceLocation at)
    {
        List<ImmutableArray<StepRecipe>> list = [[Int4(Int4Algorithm.Rtn, 128, at)], [Int4(Int4Algorithm.Rtn, 32, at)]];
        if (calibrated)
        {
            list.Add([Int4(Int4Algorithm.Gptq, 128, at)]);
            list.Add([Int4(Int4Algorithm.Gptq, 32, at)]);
        }

        foreach (var perChannel in new[] { true, false })
        {
            list.Add([Int8(QuantizeMode.WeightOnly, ActivationRangeMethod.MinMax, perChannel, at)]);
            list.Add([Int8(QuantizeMode.Dynamic, ActivationRangeMethod.MinMax, perChannel, at)]);
            if (!calibrated)
            {
                continue;
            }

            // Per-tensor scales only for the plain and the auto-smoothed minmax: the rest of the grid per tensor
            // would spend trials on settings that lose accuracy for a few bytes.
            var methods = perChannel
                ? new[] { ActivationRangeMethod.MinMax, ActivationRangeMethod.Percentile, ActivationRangeMethod.Entropy }
                : [ActivationRangeMethod.MinMax];
            foreach (var method in methods)
            {
                list.Add([Int8(QuantizeMode.Static, method, perChannel, at)]);
            }

            foreach (var method in methods)
            {
                if (perChannel)
                {
                    list.Add([Smooth(SmoothQuantStep.DefaultAlpha, at), Int8(QuantizeMode.Static, method, perChannel, at)]);
                }

                list.Add([Smooth(null, at), Int8(QuantizeMode.Static, method, perChannel, at)]);
            }
        }

        return list;
    }

    private static QuantizeStep Int8(QuantizeMode mode, ActivationRangeMethod method, bool perChannel, SourceLocation at) => new(
        mode, QuantizeWeightType.Int8, QuantizeActivationType.UInt8, perChannel, SymmetricWeights: true, method,
        QuantizeStep.DefaultPercentile, QuantizeStep.DefaultBlockSize, [], at);

    private static QuantizeStep Int4(Int4Algorithm algorithm, int block, SourceLocation at) => new(
        QuantizeMode.WeightOnly, QuantizeWeightType.Int4, QuantizeActivationType.UInt8, PerChannel: true, SymmetricWeights: true,
        ActivationRangeMethod.MinMax, QuantizeStep.DefaultPercentile, block, [], at)
    {
        Algorithm = algorithm,
    };

    // The recipe's defaults for 'smoothquant' (alpha_range [0.3, 0.7], step 0.05, mean, fold).
    private static SmoothQuantStep Smooth(double? alpha, SourceLocation at) => new(alpha, 0.3, 0.7, 0.05, AlphaCombine.Mean, Fold: true, at);

    /// <summary>
    /// The linear layers' weight bytes after the candidate's quantize step: int8 one byte a weight plus a float scale
    /// per channel (or tensor), int4 half a byte plus a float scale per block, float four bytes. Static int8 adds an
    /// activation QuantizeLinear/DequantizeLinear pair per layer. Prune and distill keep the dense float size.
    /// Only the order of candidates depends on it; each trial measures the real size.
    /// </summary>
    private static long ExpectedBytes(OnnxModel source, ModelAnalysis analysis, ImmutableArray<StepRecipe> steps)
    {
        var layers = analysis.Layers;
        var quantize = steps.OfType<QuantizeStep>().FirstOrDefault();
        var included = quantize is null ? [] : StaticInt8QdqPass.Included(layers, quantize).ToHashSet();
        long total = 0;
        foreach (var layer in layers)
        {
            var n = layer.Weight.ElementCount;
            var channels = Math.Max(1, layer.OutFeatures);
            total += quantize is null || !included.Contains(layer) ? 4 * n : quantize switch
            {
                { Weights: QuantizeWeightType.Int4 } q when layer.Kind != LinearLayerKind.Conv => (n + 1) / 2 + 4 * ((n + q.BlockSize - 1) / q.BlockSize),
                { Weights: QuantizeWeightType.Int4 } => 4 * n,
                { Mode: QuantizeMode.Dynamic } when !DynamicQuantizer.Supports(source.Graph, layer) => 4 * n,
                { Mode: QuantizeMode.Static } q => n + Scales(q, channels) + 160,
                var q => n + Scales(q, channels),
            };
        }

        // Static and dynamic int8 also store embedding tables (Gather of a float initializer) as int8 with a scale per
        // row; weight-only and int4 leave them float. On char-gpt that is 0.42 MB of a 11.7 MB output.
        var tablesInInt8 = quantize is { Weights: QuantizeWeightType.Int8, Mode: QuantizeMode.Static or QuantizeMode.Dynamic };
        foreach (var table in analysis.Embeddings)
        {
            var n = table.Table.ElementCount;
            total += tablesInInt8 ? n + (4 * table.Table.Dims[0]) : 4 * n;
        }

        return total;
    }

    private static long Scales(QuantizeStep q, int channels) => 4L * (q.PerChannel ? channels : 1);

    private static int SpeedRank(ImmutableArray<StepRecipe> steps) => steps.OfType<QuantizeStep>().FirstOrDefault() switch
    {
        null => 4,
        { Mode: QuantizeMode.Dynamic } => 0,
        { Mode: QuantizeMode.Static } => 1,
        { Weights: QuantizeWeightType.Int8 } => 2,
        _ => 3,
    };
}
