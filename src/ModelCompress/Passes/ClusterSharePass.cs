using System.Globalization;
using ModelCompress.Analysis;
using ModelCompress.Calibration;
using ModelCompress.Onnx;
using ModelCompress.Quantization;
using ModelCompress.Recipe;
using ModelCompress.Reports;

namespace ModelCompress.Passes;

/// <summary>
/// <c>share: { method: cluster }</c>: each linear layer's weights are clustered by k-means into <c>clusters</c> shared
/// values (<see cref="WeightClustering"/>) and stored as a float codebook plus an index per weight — 4 bits when k ≤ 16
/// (and the opset has BitShift, raised to 13 when that is safe), else 8 — decoded by standard ONNX ops
/// (<see cref="SharedWeightGraph"/>). A DequantizeLinear of uint4 would need the codebook to be a uniform grid, which
/// k-means centroids are not, and opset 21; the Gather form keeps the centroids where k-means put them.
/// </summary>
public sealed class ClusterSharePass : ICompressionPass
{
    private readonly ShareStep _step;

    /// <summary>Creates the pass for a <c>share</c> step with <c>method: cluster</c>.</summary>
    public ClusterSharePass(ShareStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        _step = step;
    }

    /// <inheritdoc />
    public string Name => "share_cluster";

    /// <inheritdoc />
    public string SettingsFingerprint => _step.SettingsFingerprint() + "|kmeans=1";

    /// <inheritdoc />
    public bool RequiresCalibration => false;

    private int Clusters => _step.Clusters ?? ShareStep.DefaultClusters;

    /// <inheritdoc />
    public IReadOnlyList<PassLayer> FindLayers(OnnxModel model, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        return [.. GraphAnalyzer.Analyze(model).Layers
            .Where(l => !_step.Exclude.Any(e => e.Matches(l.Node.Name, l.Node.OpType)))
            .Select(l => new PassLayer(l.Node, 1, l.WeightName, l.Weight.Dims, l.OutputChannelAxis, l.InputName, l.Weight))];
    }

    /// <inheritdoc />
    public byte[] ComputeLayer(PassLayer layer, LayerInputStatistics? statistics, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ct.ThrowIfCancellationRequested();
        var (codebook, indices) = WeightClustering.Cluster(layer.WeightValues, Clusters);
        return new ClusteredWeight(codebook, indices).ToBytes();
    }

    /// <inheritdoc />
    public IReadOnlyList<LayerReport> Apply(OnnxModel model, IReadOnlyList<LayerOutcome> outcomes, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(outcomes);
        var graph = model.Graph;
        var packed = Clusters <= 16 && CanPack(model);
        var written = new Dictionary<string, string>(StringComparer.Ordinal);
        var reports = new List<LayerReport>(outcomes.Count);
        var insertAt = 0;
        foreach (var (layer, key, result) in outcomes)
        {
            var weight = ClusteredWeight.FromBytes(result);
            if (!written.TryGetValue(layer.WeightName, out var output))
            {
                var (nodes, value) = SharedWeightGraph.Write(graph, layer.Name, layer.WeightName, weight, [.. layer.WeightShape], packed && weight.FitsFourBits);
                foreach (var node in nodes)
                {
                    // The new nodes read only initializers, so the front of the node list is always a topological spot.
                    graph.InsertNode(insertAt++, node);
                }

                written[layer.WeightName] = output = value;
            }

            layer.Node.Inputs[layer.WeightInputIndex] = output;
            UnusedWeights.Remove(graph, layer.WeightName);
            var back = weight.Expand();
            var original = layer.WeightValues;
            var maxError = 0.0;
            for (var i = 0; i < back.Length; i++)
            {
                maxError = Math.Max(maxError, Math.Abs(back[i] - original[i]));
            }

            var fourBits = packed && weight.FitsFourBits;
            var indexBytes = fourBits ? (weight.Indices.LongLength + 1) / 2 : weight.Indices.LongLength;
            reports.Add(new LayerReport(
                layer.Name, layer.OpType, layer.WeightName, layer.WeightShape, key.Hex,
                BytesBefore: original.Length * sizeof(float),
                BytesAfter: indexBytes + (weight.Codebook.LongLength * sizeof(float)),
                MaxAbsWeightError: maxError,
                Note: string.Create(CultureInfo.InvariantCulture,
                    $"{weight.Codebook.Length} shared values, {(fourBits ? "4-bit" : "8-bit")} indices; ONNX Runtime folds the decoding at load")));
        }

        return reports;
    }

    /// <summary>Whether 4-bit indices can be unpacked: BitShift needs opset 11 (raised to 13 when every node keeps its meaning).</summary>
    private static bool CanPack(OnnxModel model)
    {
        if ((model.GetOpsetVersion(string.Empty) ?? 0) >= SharedWeightGraph.BitShiftOpset)
        {
            return true;
        }

        if (OpsetUpgrade.CanRaiseTo13(model, out _))
        {
            OpsetUpgrade.RaiseTo13(model);
            return true;
        }

        return false;
    }
}
