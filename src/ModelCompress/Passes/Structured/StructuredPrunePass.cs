using System.Globalization;
using ModelCompress.Analysis;
using ModelCompress.Calibration;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Recipe;
using ModelCompress.Reports;

namespace ModelCompress.Passes;

/// <summary>
/// <c>prune: { method: structured }</c>: removes whole hidden channels of MLPs and whole Conv output channels, and
/// shrinks the graph (smaller weights, biases and per-channel constants) so that a runtime does less work, not just
/// multiplies by zeros. The unit of work is one <see cref="PrunableStructure"/>: its <see cref="PassLayer"/> carries
/// the weights of all its member layers, one row per channel (see <see cref="ChannelImportance"/>), and the consumer's
/// input as the activation whose calibration norms rank the channels. <see cref="ComputeLayer"/> returns the kept
/// channel indices, so the per-layer cache holds the decision and <see cref="Apply"/> makes the edit.
/// </summary>
public sealed class StructuredPrunePass : ICompressionPass
{
    /// <summary>Captured rows per hidden activation for its channel norms: enough for a stable mean square, small to keep.</summary>
    private const int CapturedRows = 512;

    private readonly PruneStep _step;
    private readonly Dictionary<PassLayer, PrunableStructure> _units = new(ReferenceEqualityComparer.Instance);

    /// <summary>Creates the pass for a <c>prune</c> step with <c>method: structured</c>.</summary>
    public StructuredPrunePass(PruneStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (step.Method != PruneMethod.Structured)
        {
            throw new ArgumentException("not a structured prune step", nameof(step));
        }

        _step = step;
    }

    /// <inheritdoc />
    public string Name => "structured_prune";

    /// <inheritdoc />
    public string SettingsFingerprint => _step.SettingsFingerprint();

    /// <inheritdoc />
    public bool RequiresCalibration => _step.Importance == PruneImportance.Activation;

    /// <inheritdoc />
    public LayerStatisticsRequest StatisticsRequest => new(CaptureRows: CapturedRows);

    /// <inheritdoc />
    public IReadOnlyList<PassLayer> FindLayers(OnnxModel model, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(context);
        var analysis = GraphAnalyzer.Analyze(model);
        var (found, skipped) = StructureFinder.Find(model.Graph, analysis.Layers, _step.Targets,
            l => _step.Exclude.Any(e => e.Matches(l.Node.Name, l.Node.OpType)), model.GetOpsetVersion(string.Empty) ?? 17);
        foreach (var (name, why) in skipped)
        {
            context.Report("MC4060", DiagnosticSeverity.Info, name, why);
        }

        var kinds = string.Join(", ", found.GroupBy(s => s.Kind).Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Count()} {g.Key}")));
        context.Report("MC4061", DiagnosticSeverity.Info, context.ModelName, found.Count, kinds.Length > 0 ? kinds : "none", skipped.Count);

        _units.Clear();
        var layers = new List<PassLayer>(found.Count);
        foreach (var s in found)
        {
            var (weights, parts) = UnitWeights(s);
            var consumer = s.Consumer;
            var layer = new PassLayer(consumer.Node, 1, consumer.WeightName, [s.Groups, s.GroupSize, parts.Sum()], 0, consumer.InputName, weights)
            {
                Parts = parts,
            };
            _units[layer] = s;
            layers.Add(layer);
        }

        return layers;
    }

    /// <inheritdoc />
    public byte[] ComputeLayer(PassLayer layer, LayerInputStatistics? statistics, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ct.ThrowIfCancellationRequested();
        var parts = layer.Parts ?? throw new InvalidOperationException($"'{layer.Name}' is not a structured pruning unit");
        var groups = (int)layer.WeightShape[0];
        var groupSize = (int)layer.WeightShape[1];
        // Calibration gathers statistics along the last axis; a Conv input is NCHW, so its statistics do not describe its channels.
        var usable = _step.Importance == PruneImportance.Activation && layer.OpType != "Conv" ? statistics : null;
        return ChannelImportance.Encode(ChannelImportance.Keep(layer.WeightValues, groups, groupSize, parts, _step.Sparsity, usable));
    }

    /// <inheritdoc />
    public IReadOnlyList<LayerReport> Apply(OnnxModel model, IReadOnlyList<LayerOutcome> outcomes, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(outcomes);
        var graph = model.Graph;
        var rows = new List<LayerReport>(outcomes.Count);
        var changed = false;
        foreach (var (layer, key, result) in outcomes)
        {
            var s = _units[layer];
            var keep = ChannelImportance.Decode(result, s.Groups);
            var (before, after) = keep.Length < s.Groups ? StructureRewriter.Apply(graph, s, keep) : (0L, 0L);
            changed |= keep.Length < s.Groups;
            var kind = s.Kind switch
            {
                StructuredTarget.Conv => "conv channels",
                StructuredTarget.Heads => "attention heads",
                _ => "MLP hidden channels",
            };
            rows.Add(new LayerReport(s.Name, layer.OpType, layer.WeightName, [s.Channels], key.Hex, before, after, null,
                Note: string.Create(CultureInfo.InvariantCulture, $"{kind}: kept {keep.Length} of {s.Groups} ({_step.Importance?.ToString().ToLowerInvariant()} importance)")));
        }

        if (changed)
        {
            graph.RemoveDeadNodes();
        }

        return rows;
    }

    /// <summary>
    /// The unit's weights as one [C, Σwidth] matrix, row j = what channel j owns: the consumer's input slice j, then
    /// the slice j of each producer's output axis.
    /// </summary>
    private static (float[] Weights, int[] Parts) UnitWeights(PrunableStructure s)
    {
        var consumer = s.Consumer;
        var members = new List<(float[] Values, int Width)>
        {
            Fibers(consumer.Weight, consumer.Kind == LinearLayerKind.Conv ? 1 : 1 - consumer.OutputChannelAxis, s.Channels),
        };
        if (s.Heads is { } heads)
        {
            // Each segment (Q, K, V) is the rows offset … offset + C of its producer's [outputs, inputs] fibers.
            foreach (var segment in heads.Segments)
            {
                var (all, w) = Fibers(segment.Layer.Weight, segment.Layer.OutputChannelAxis, segment.Layer.OutFeatures);
                members.Add((all[(segment.Offset * w)..((segment.Offset + s.Channels) * w)], w));
            }
        }
        else
        {
            members.AddRange(s.Producers.Select(p => Fibers(p.Weight, p.OutputChannelAxis, s.Channels)));
        }
        var width = members.Sum(m => m.Width);
        var weights = new float[(long)s.Channels * width];
        var at = 0;
        foreach (var (values, w) in members)
        {
            for (var j = 0; j < s.Channels; j++)
            {
                Array.Copy(values, (long)j * w, weights, ((long)j * width) + at, w);
            }

            at += w;
        }

        return (weights, [.. members.Select(m => m.Width)]);
    }

    /// <summary><paramref name="tensor"/> with <paramref name="axis"/> moved to the front: [C, rest], row j = every value with index j there.</summary>
    private static (float[] Values, int Width) Fibers(OnnxTensor tensor, int axis, int channels)
    {
        var dims = tensor.Dims;
        var values = tensor.ToFloatArray();
        var inner = 1;
        for (var i = axis + 1; i < dims.Length; i++)
        {
            inner *= (int)dims[i];
        }

        var outer = values.Length / (channels * inner);
        var width = outer * inner;
        var result = new float[values.Length];
        for (var o = 0; o < outer; o++)
        {
            for (var j = 0; j < channels; j++)
            {
                Array.Copy(values, ((o * channels) + j) * inner, result, (j * width) + (o * inner), inner);
            }
        }

        return (result, width);
    }
}
