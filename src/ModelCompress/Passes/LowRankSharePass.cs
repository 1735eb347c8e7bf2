using System.Globalization;
using ModelCompress.Analysis;
using ModelCompress.Calibration;
using ModelCompress.Onnx;
using ModelCompress.Quantization;
using ModelCompress.Recipe;
using ModelCompress.Reports;

namespace ModelCompress.Passes;

/// <summary>
/// <c>share: { method: lowrank }</c>: each MatMul or Gemm weight W [K, N] becomes two factors from a truncated SVD
/// (<see cref="LowRankFactorization"/>), W ≈ A·B, with the rank fixed (<c>rank</c>) or the smallest that keeps
/// <c>energy</c> of Σσ². A layer is factored only where that saves parameters, r·(K + N) &lt; K·N, i.e.
/// r &lt; KN/(K + N). The graph computes (X·A)·B with two MatMuls (a Gemm keeps its bias, alpha and beta on the second
/// product), so unlike clustering the smaller model also does fewer multiplications at run time.
/// </summary>
public sealed class LowRankSharePass : ICompressionPass
{
    private readonly ShareStep _step;

    /// <summary>Creates the pass for a <c>share</c> step with <c>method: lowrank</c>.</summary>
    public LowRankSharePass(ShareStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        _step = step;
    }

    /// <inheritdoc />
    public string Name => "share_lowrank";

    /// <inheritdoc />
    public string SettingsFingerprint => _step.SettingsFingerprint() + "|svd=mathnet5";

    /// <inheritdoc />
    public bool RequiresCalibration => false;

    /// <inheritdoc />
    public IReadOnlyList<PassLayer> FindLayers(OnnxModel model, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        return [.. GraphAnalyzer.Analyze(model).Layers
            .Where(l => l.Kind != LinearLayerKind.Conv && !_step.Exclude.Any(e => e.Matches(l.Node.Name, l.Node.OpType)))
            .Select(l => new PassLayer(l.Node, 1, l.WeightName, l.Weight.Dims, l.OutputChannelAxis, l.InputName, l.Weight))];
    }

    /// <inheritdoc />
    public byte[] ComputeLayer(PassLayer layer, LayerInputStatistics? statistics, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ct.ThrowIfCancellationRequested();
        var (k, n, w) = WeightKN(layer);
        var (a, b, rank, energy) = LowRankFactorization.Factor(w, k, n, _step.Rank, _step.Energy);
        return LowRankFactorization.Saves(rank, k, n)
            ? new LowRankWeight(k, n, rank, energy, a, b).ToBytes()
            : new LowRankWeight(k, n, 0, energy, [], []).ToBytes();
    }

    /// <inheritdoc />
    public IReadOnlyList<LayerReport> Apply(OnnxModel model, IReadOnlyList<LayerOutcome> outcomes, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(outcomes);
        var graph = model.Graph;
        var reports = new List<LayerReport>(outcomes.Count);
        foreach (var (layer, key, result) in outcomes)
        {
            var f = LowRankWeight.FromBytes(result);
            var before = (long)f.K * f.N * sizeof(float);
            if (f.Rank == 0)
            {
                reports.Add(new LayerReport(layer.Name, layer.OpType, layer.WeightName, layer.WeightShape, key.Hex, before, before, null,
                    Note: string.Create(CultureInfo.InvariantCulture, $"kept whole: no rank that keeps the asked energy is below KN/(K+N) = {(double)f.K * f.N / (f.K + f.N):0.#}")));
                continue;
            }

            var node = layer.Node;
            var a = graph.UniqueName(layer.WeightName + "_lowrank_a");
            var b = graph.UniqueName(layer.WeightName + "_lowrank_b");
            graph.AddInitializer(OnnxTensor.FromFloats(a, [f.K, f.Rank], f.A));
            graph.AddInitializer(OnnxTensor.FromFloats(b, [f.Rank, f.N], f.B));
            var projected = graph.UniqueName(layer.Name + "/lowrank_u_output");
            var first = new OnnxNode("MatMul", [node.Inputs[0], a], [projected], graph.UniqueName(layer.Name + "/lowrank_u"));
            graph.InsertNode(graph.Nodes.ToList().IndexOf(node), first);
            var old = node.Inputs[1];
            node.Inputs[0] = projected;
            node.Inputs[1] = b;
            if (node.OpType == "Gemm")
            {
                node.SetAttribute("transB", 0L);
            }

            UnusedWeights.Remove(graph, old);
            reports.Add(new LayerReport(
                layer.Name, layer.OpType, layer.WeightName, layer.WeightShape, key.Hex, before, 4L * f.Rank * (f.K + f.N),
                MaxAbsWeightError: MaxError(layer, f),
                Note: string.Create(CultureInfo.InvariantCulture, $"rank {f.Rank} of {Math.Min(f.K, f.N)}, {f.Energy:P2} of Σσ² kept")));
        }

        return reports;
    }

    /// <summary>The layer's weight as a row-major [K, N] matrix (a Gemm with transB stores it [N, K]).</summary>
    internal static (int K, int N, float[] W) WeightKN(PassLayer layer)
    {
        var w = layer.WeightValues;
        var (d0, d1) = ((int)layer.WeightShape[0], (int)layer.WeightShape[1]);
        if (layer.ChannelAxis != 0)
        {
            return (d0, d1, w.ToArray());
        }

        var t = new float[w.Length];
        for (var i = 0; i < d0; i++)
        {
            for (var j = 0; j < d1; j++)
            {
                t[(j * d0) + i] = w[(i * d1) + j];
            }
        }

        return (d1, d0, t);
    }

    private static double MaxError(PassLayer layer, LowRankWeight f)
    {
        var (k, n, w) = WeightKN(layer);
        var max = 0.0;
        for (var i = 0; i < k; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var s = 0.0;
                for (var t = 0; t < f.Rank; t++)
                {
                    s += (double)f.A[(i * f.Rank) + t] * f.B[(t * n) + j];
                }

                max = Math.Max(max, Math.Abs(s - w[(i * n) + j]));
            }
        }

        return max;
    }
}
