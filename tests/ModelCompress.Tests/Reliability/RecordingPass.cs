using ModelCompress.Calibration;
using ModelCompress.Onnx;
using ModelCompress.Passes;
using ModelCompress.Reports;

namespace ModelCompress.Tests.Reliability;

/// <summary>
/// Forwards to <paramref name="inner"/> and keeps the outcomes the runner hands to Apply; subclasses add the marker
/// interface (streaming, releasing) whose runner behaviour a test watches.
/// </summary>
internal abstract class RecordingPass(ICompressionPass inner) : ICompressionPass
{
    public IReadOnlyList<LayerOutcome> Outcomes { get; private set; } = [];

    public string Name => inner.Name;

    public string SettingsFingerprint => inner.SettingsFingerprint;

    public bool RequiresCalibration => inner.RequiresCalibration;

    public IReadOnlyList<PassLayer> FindLayers(OnnxModel model, PassContext context) => inner.FindLayers(model, context);

    public byte[] ComputeLayer(PassLayer layer, LayerInputStatistics? statistics, CancellationToken ct) =>
        inner.ComputeLayer(layer, statistics, ct);

    public IReadOnlyList<LayerReport> Apply(OnnxModel model, IReadOnlyList<LayerOutcome> outcomes, PassContext context)
    {
        Outcomes = outcomes;
        return inner.Apply(model, outcomes, context);
    }
}
