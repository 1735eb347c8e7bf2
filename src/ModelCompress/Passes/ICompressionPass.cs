using ModelCompress.Calibration;
using ModelCompress.Onnx;
using ModelCompress.Reports;

namespace ModelCompress.Passes;

/// <summary>
/// One compression step, done layer by layer in three phases so a content-addressed cache can sit in the middle:
/// <list type="number">
/// <item><see cref="FindLayers"/> reads the graph and lists the layers to work on;</item>
/// <item><see cref="ComputeLayer"/> turns one layer's inputs (its weights, its input statistics, the step settings)
/// into a serialized result — a pure function, so its result can be stored under the layer's <see cref="Cache.LayerWorkKey"/>
/// and read back by a later run;</item>
/// <item><see cref="Apply"/> edits the graph with every layer's result.</item>
/// </list>
/// The engine computes keys, consults the cache and reports progress; passes never touch files or the console.
/// </summary>
public interface ICompressionPass
{
    /// <summary>The pass's name in reports, e.g. <c>weight_only_int8</c>.</summary>
    string Name { get; }

    /// <summary>The canonical settings string (the recipe step's fingerprint) that goes into every work key.</summary>
    string SettingsFingerprint { get; }

    /// <summary>Whether <see cref="ComputeLayer"/> needs the layer's input statistics from calibration data.</summary>
    bool RequiresCalibration { get; }

    /// <summary>What calibration must gather besides per-channel ranges (histograms, captured input rows).</summary>
    LayerStatisticsRequest StatisticsRequest => LayerStatisticsRequest.MinMax;

    /// <summary>The layers this pass will change, in graph order.</summary>
    IReadOnlyList<PassLayer> FindLayers(OnnxModel model, PassContext context);

    /// <summary>Computes one layer's result from its weights, input statistics and the settings; must not read the graph.</summary>
    byte[] ComputeLayer(PassLayer layer, LayerInputStatistics? statistics, CancellationToken ct);

    /// <summary>Applies every layer's result to <paramref name="model"/>; returns one report row per layer, in order.</summary>
    IReadOnlyList<LayerReport> Apply(OnnxModel model, IReadOnlyList<LayerOutcome> outcomes, PassContext context);
}
