using System.Buffers.Binary;
using ModelCompress.Analysis;
using ModelCompress.Calibration;
using ModelCompress.Onnx;
using ModelCompress.Passes;
using ModelCompress.Reports;

namespace ModelCompress.Tests.Cache;

/// <summary>
/// A pass that, like SmoothQuant, reads each layer's input statistics: it computes the smoothing factors
/// s_j = max|X_j|^α / max|W_j|^(1−α) (Xiao et al. 2023, eq. 4) over the input channels j and quantizes diag(s)·W per
/// output channel. It stands in for the calibrated passes of the engine in cache tests, so that a layer's key must
/// follow its inputs; it leaves the graph unchanged and counts the layers it computed.
/// </summary>
internal sealed class SmoothingTestPass(float alpha = 0.5f) : ICompressionPass
{
    private int _computed;

    public string Name => "test_smoothing";

    public string SettingsFingerprint => FormattableString.Invariant($"test_smoothing{{alpha={alpha}}}");

    public bool RequiresCalibration => true;

    public List<string> Computed { get; } = [];

    public int ComputedCount => _computed;

    public IReadOnlyList<PassLayer> FindLayers(OnnxModel model, PassContext context) => [.. GraphAnalyzer.Analyze(model).Layers.Select(PassLayer.Of)];

    public byte[] ComputeLayer(PassLayer layer, LayerInputStatistics? statistics, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        lock (Computed)
        {
            Computed.Add(layer.Name);
            _computed++;
        }

        var rows = (int)layer.WeightShape[0];
        var cols = (int)layer.WeightShape[1];
        var smoothed = new float[layer.Weights.Length];
        var scales = new float[rows];
        for (var j = 0; j < rows; j++)
        {
            var row = layer.Weights.AsSpan(j * cols, cols);
            var wMax = 0f;
            foreach (var w in row)
            {
                wMax = Math.Max(wMax, Math.Abs(w));
            }

            var s = MathF.Pow(Math.Max(statistics.AbsMax[j], 1e-5f), alpha) / MathF.Pow(Math.Max(wMax, 1e-5f), 1 - alpha);
            scales[j] = s;
            for (var k = 0; k < cols; k++)
            {
                smoothed[(j * cols) + k] = row[k] * s;
            }
        }

        var q = Int8Quantizer.QuantizePerChannel(smoothed, layer.WeightShape, layer.ChannelAxis).ToBytes();
        var result = new byte[(4 * rows) + q.Length];
        for (var j = 0; j < rows; j++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(result.AsSpan(4 * j), scales[j]);
        }

        q.CopyTo(result, 4 * rows);
        return result;
    }

    public IReadOnlyList<LayerReport> Apply(OnnxModel model, IReadOnlyList<LayerOutcome> outcomes, PassContext context) =>
        [.. outcomes.Select(o => new LayerReport(o.Layer.Name, o.Layer.OpType, o.Layer.WeightName, o.Layer.WeightShape, o.Key.Hex, 0, 0, null))];
}
