using System.Runtime.CompilerServices;
using ModelCompress.Analysis;
using ModelCompress.Calibration;
using ModelCompress.Onnx;
using ModelCompress.Quantization;
using ModelCompress.Recipe;

namespace ModelCompress.Passes;

/// <summary>
/// Weight-only int4: each MatMul/Gemm weight becomes 4-bit codes with one scale (and, asymmetric, one zero point) per
/// block of <c>block_size</c> inputs per output, rounded to nearest (<c>algorithm: rtn</c>) or by GPTQ
/// (<c>algorithm: gptq</c>, <see cref="Int4Quantizer"/> on the layer input's Hessian from calibration). The graph gets
/// a standard blocked DequantizeLinear (opset 21) in front of the layer; activations stay float. Conv layers stay
/// float (their kernels have no [K, N] form here). A layer whose Hessian cannot be factored is rounded to nearest and
/// MC3202 names it.
/// </summary>
public sealed partial class Int4WeightOnlyPass : IWeightStreamingPass
{
    private readonly QuantizeStep _step;

    // One factorization per Hessian: layers that read the same input (Q/K/V) share the statistics object, and
    // HessianFactorCache shares equal Hessians between passes (GPTQ b128 and b32 of one tuning run).
    private readonly ConditionalWeakTable<LayerInputStatistics, FactorResult> _factors = [];

    /// <summary>Creates the pass for a <c>quantize</c> step with <c>weights: int4</c>.</summary>
    public Int4WeightOnlyPass(QuantizeStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        _step = step;
    }

    /// <inheritdoc />
    public string Name => _step.Algorithm == Int4Algorithm.Gptq ? "int4_gptq" : "int4_rtn";

    /// <inheritdoc />
    public string SettingsFingerprint => _step.SettingsFingerprint() + "|int4=1";

    /// <inheritdoc />
    public bool RequiresCalibration => _step.Algorithm == Int4Algorithm.Gptq;

    /// <inheritdoc />
    public LayerStatisticsRequest StatisticsRequest => new(Hessian: RequiresCalibration);

    /// <inheritdoc />
    public IReadOnlyList<PassLayer> FindLayers(OnnxModel model, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(context);
        var analysis = GraphAnalyzer.Analyze(model);
        var layers = StaticInt8QdqPass.Included(analysis.Layers, _step).ToList();
        if (RequiresCalibration)
        {
            // GPTQ needs each layer's input Hessian, which calibration cannot observe inside a subgraph.
            SubgraphLayers.WarnLeftFloat(analysis, context, "quantize (int4, gptq)");
        }
        else
        {
            layers.AddRange(StaticInt8QdqPass.Included(analysis.SubgraphLayers, _step));
        }

        return MatrixLayers.Of(layers, context, "MC3201");
    }

    /// <inheritdoc />
    public byte[] ComputeLayer(PassLayer layer, LayerInputStatistics? statistics, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ct.ThrowIfCancellationRequested();
        var (outputs, inputs, rows) = RowsOf(layer);
        InverseHessianFactor? factor = null;
        var fallback = string.Empty;
        if (_step.Algorithm == Int4Algorithm.Gptq)
        {
            var hessian = statistics?.Hessian ?? throw new InvalidOperationException($"Layer '{layer.Name}' needs its input Hessian.");
            var result = _factors.GetValue(statistics, s => HessianFactorCache.Get(s.Hessian!, _step.PercDamp));
            if (hessian.Channels != inputs)
            {
                throw new InvalidOperationException($"Layer '{layer.Name}': its input has {hessian.Channels} channels, its weight {inputs} inputs.");
            }

            factor = result.Factor;
            fallback = result.Reason;
        }

        return Int4Quantizer.Quantize(rows, outputs, inputs, _step.BlockSize, _step.SymmetricWeights, factor, fallback).ToBytes();
    }

    /// <summary>The layer's weight as W [N, K] rows in double (MatMul/Gemm stores [K, N]; Gemm with transB [N, K]).</summary>
    internal static (int Outputs, int Inputs, double[] Rows) RowsOf(PassLayer layer)
    {
        var w = layer.WeightValues;
        var (d0, d1) = ((int)layer.WeightShape[0], (int)layer.WeightShape[1]);
        var transposed = layer.ChannelAxis == 0;
        var (n, k) = transposed ? (d0, d1) : (d1, d0);
        var rows = new double[(long)n * k];
        for (var a = 0; a < d0; a++)
        {
            for (var b = 0; b < d1; b++)
            {
                var (r, c) = transposed ? (a, b) : (b, a);
                rows[((long)r * k) + c] = w[(a * d1) + b];
            }
        }

        return (n, k, rows);
    }

    /// <summary>A factorization, or why there is none (the layer then rounds to nearest).</summary>
    internal sealed record FactorResult(InverseHessianFactor? Factor, string Reason)
    {
        public static FactorResult Create(double[] hessian, int channels, double percdamp) =>
            InverseHessianFactor.TryCreate(hessian, channels, percdamp, out var factor, out var reason)
                ? new FactorResult(factor, string.Empty)
                : new FactorResult(null, reason);
    }
}
