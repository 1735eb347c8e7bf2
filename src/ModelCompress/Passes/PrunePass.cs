using System.Globalization;
using ModelCompress.Analysis;
using ModelCompress.Calibration;
using ModelCompress.Onnx;
using ModelCompress.Pruning;
using ModelCompress.Recipe;

namespace ModelCompress.Passes;

/// <summary>
/// Unstructured and N:M pruning (<c>prune:</c> with <c>method: magnitude</c>, <c>nm</c>, <c>wanda</c> or <c>pst</c>):
/// each linear layer's weight gets a mask from its scores (<see cref="LayerPruner"/>) and is written back with the
/// pruned entries set to zero. A layer's work reads its weight, its input statistics (Wanda: per-channel Σx²; PST:
/// captured input rows) and the settings — with <c>scope: global</c> also the global threshold, which is computed
/// from every included layer in <see cref="FindLayers"/> and made part of <see cref="SettingsFingerprint"/>, so a
/// cached layer is reused only under the same threshold.
/// </summary>
public sealed partial class PrunePass : ICompressionPass
{
    private readonly PruneStep _step;
    private float? _globalThreshold;

    /// <summary>Creates the pass for a <c>prune</c> step.</summary>
    public PrunePass(PruneStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (step.Method is PruneMethod.SparseGpt or PruneMethod.Structured)
        {
            throw new ArgumentException($"PrunePass does not implement '{step.Method}'", nameof(step));
        }

        _step = step;
    }

    /// <inheritdoc />
    public string Name => "prune";

    /// <inheritdoc />
    /// <remarks>"|prune=1" versions this pass's result encoding; with global scope the threshold's bits follow.</remarks>
    public string SettingsFingerprint => _step.SettingsFingerprint() + "|prune=1"
        + (_globalThreshold is { } t ? string.Create(CultureInfo.InvariantCulture, $"|threshold={BitConverter.SingleToInt32Bits(t):x8}") : string.Empty);

    /// <inheritdoc />
    public bool RequiresCalibration => _step.Method is PruneMethod.Wanda or PruneMethod.Pst;

    /// <inheritdoc />
    public LayerStatisticsRequest StatisticsRequest => _step.Method switch
    {
        PruneMethod.Wanda => new LayerStatisticsRequest(SumSquares: true),
        PruneMethod.Pst => new LayerStatisticsRequest(CaptureRows: PstSettings.CaptureRows),
        _ => LayerStatisticsRequest.MinMax,
    };

    /// <inheritdoc />
    public IReadOnlyList<PassLayer> FindLayers(OnnxModel model, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        var layers = GraphAnalyzer.Analyze(model).Layers
            .Where(l => !_step.Exclude.Any(e => e.Matches(l.Node.Name, l.Node.OpType)))
            .ToList();
        if (_step.Scope == PruneScope.Global)
        {
            // Each distinct weight tensor counts once, however many layers read it.
            var distinct = layers.GroupBy(l => l.WeightName, StringComparer.Ordinal).Select(g => g.First().Weight.ToFloatArray());
            _globalThreshold = PruneMasks.GlobalThreshold(distinct, _step.Sparsity);
        }

        // Activation-aware methods weigh a Conv kernel by the statistics of its unfolded input patches.
        return [.. layers.Select(l => RequiresCalibration ? PassLayer.OfPatches(l) : PassLayer.Of(l))];
    }

    /// <inheritdoc />
    public byte[] ComputeLayer(PassLayer layer, LayerInputStatistics? statistics, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ct.ThrowIfCancellationRequested();
        var layout = WeightLayout.For(layer.OpType, layer.WeightShape, layer.ChannelAxis);
        var sums = statistics?.SumSquares;
        var rows = statistics?.Rows;
        var groups = 1;
        var patches = layer.ActivationName.StartsWith(ConvPatches.Prefix, StringComparison.Ordinal) ? ConvPatches.Of(layer.AnalyzedLayer) : null;
        if (patches is not null)
        {
            // Patch statistics come in the kernel's stored order per group; the masks work in the logical order.
            groups = patches.Groups;
            sums = sums is null ? null : patches.ToLogical(sums);
            rows = rows is null ? null : LogicalRows(patches, rows);
        }

        var width = layout.Cols * groups;
        if ((layer.OpType != "Conv" || patches is not null) && (sums is not null && sums.Length != width || rows is not null && statistics!.AbsMax.Length != width))
        {
            throw new InvalidOperationException($"Layer '{layer.Name}' has {layout.Cols} inputs but its statistics have {statistics!.AbsMax.Length} channels.");
        }

        var isConvWithoutPatches = layer.OpType == "Conv" && patches is null;
        return new LayerPruner(_step, _globalThreshold).Prune(layer.WeightValues, layout, isConvWithoutPatches, sums, rows, groups).ToBytes();
    }

    /// <summary>Captured patch rows with each group's columns in the logical order.</summary>
    private static float[] LogicalRows(ConvPatches patches, float[] rows)
    {
        var k = patches.GroupColumns;
        var result = new float[rows.Length];
        for (var at = 0; at < rows.Length; at += k)
        {
            for (var i = 0; i < k; i++)
            {
                result[at + i] = rows[at + patches.LogicalColumn(i)];
            }
        }

        return result;
    }
}
