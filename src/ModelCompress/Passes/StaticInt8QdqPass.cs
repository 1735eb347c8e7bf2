using ModelCompress.Analysis;
using ModelCompress.Calibration;
using ModelCompress.Onnx;
using ModelCompress.Quantization;
using ModelCompress.Recipe;

namespace ModelCompress.Passes;

/// <summary>
/// Static int8 quantization in QDQ form (<see cref="QdqQuantizer"/>): per layer, the weight becomes int8 (symmetric,
/// per output channel or per tensor) and the input gets one calibrated per-tensor scale and zero point (uint8
/// asymmetric or int8 symmetric; range by minmax, percentile or entropy). A layer's work reads only its weight, its
/// input's statistics (ranges, and the histogram for percentile/entropy) and the step's settings, so it is cached per
/// layer. Embedding tables (Gather of a constant) are stored int8 per row when the graph is written.
/// </summary>
public sealed partial class StaticInt8QdqPass : IWeightReleasingPass, IOutputRangePass
{
    private readonly QuantizeStep _step;
    private readonly AnalysisHandOver _analysis = new();
    private List<ConvOutputUnit> _units = [];
    private Dictionary<string, IReadOnlyList<(OnnxNode Op, string Output)>> _chains = new(StringComparer.Ordinal);
    private IReadOnlyDictionary<string, LayerInputStatistics>? _ranges;
    private List<string> _patchViews = [];

    /// <summary>Creates the pass for a <c>quantize</c> step with <c>mode: static</c>.</summary>
    public StaticInt8QdqPass(QuantizeStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        _step = step;
    }

    /// <inheritdoc />
    public string Name => "static_int8_qdq";

    /// <inheritdoc />
    public string SettingsFingerprint => _step.SettingsFingerprint();

    /// <inheritdoc />
    public bool RequiresCalibration => true;

    /// <inheritdoc />
    public LayerStatisticsRequest StatisticsRequest => new(Histogram: _step.Method != ActivationRangeMethod.MinMax, Hessian: Gptq);

    /// <inheritdoc />
    public IReadOnlyList<PassLayer> FindLayers(OnnxModel model, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        var analysis = _analysis.Find(model);
        SubgraphLayers.WarnLeftFloat(analysis, context, "quantize (static)");
        var layers = Included(analysis.Layers, _step).ToList();
        _units = [.. layers.Where(l => l.Kind == LinearLayerKind.Conv).Select(l => ConvOutputs.Find(model.Graph, l))];
        var inputs = layers.Select(l => l.InputName).ToHashSet(StringComparer.Ordinal);
        _chains = _units.Select(u => (u.Output, Chain: ConvOutputs.SameScaleChain(model.Graph, u.Output, inputs)))
            .Where(c => c.Chain.Count > 0).ToDictionary(c => c.Output, c => c.Chain, StringComparer.Ordinal);
        _patchViews = [.. PatchViews(layers)];
        _ranges = null;
        var units = _units.ToDictionary(u => u.Layer.Node, u => u);

        // A Conv with folded scales is keyed and quantized by the weights it will have.
        return [.. layers.Select(l => units.TryGetValue(l.Node, out var u) && u.ScalesWeights
            ? new PassLayer(l.Node, 1, l.WeightName, l.Weight.Dims, l.OutputChannelAxis, l.InputName, u.Weights) { Layer = l }
            : PassLayer.Of(l))];
    }

    /// <inheritdoc />
    public IReadOnlyList<string> RangeValues => [.. _units.Select(u => u.Output), .. _patchViews];

    /// <inheritdoc />
    public void TakeRanges(IReadOnlyDictionary<string, LayerInputStatistics> statistics) => _ranges = statistics;

    /// <inheritdoc />
    public byte[] ComputeLayer(PassLayer layer, LayerInputStatistics? statistics, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ct.ThrowIfCancellationRequested();
        var stats = statistics ?? throw new InvalidOperationException($"Layer '{layer.Name}' needs its input statistics.");
        var range = TensorStatistics.RangeOf(stats.TensorMin, stats.TensorMax, stats.Histogram, _step.Method, _step.Percentile,
            _step.Activations == QuantizeActivationType.Int8, layer.ActivationName);
        return QdqQuantizer.PlanStatic(WeightsToQuantize(layer, stats), [.. layer.WeightShape], layer.ChannelAxis, range, _step).ToBytes();
    }

    /// <summary>The layers a static or dynamic quantize step works on: all single-matrix layers but the excluded ones.</summary>
    internal static IEnumerable<LinearLayer> Included(IEnumerable<LinearLayer> layers, QuantizeStep step) =>
        layers.Where(l => !l.IsBatched && !step.Exclude.Any(e => e.Matches(l.Node.Name, l.Node.OpType)));
}
