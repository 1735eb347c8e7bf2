namespace ModelCompress.Verification;

/// <summary>One layer's simulator and running error sums over the samples.</summary>
/// <param name="layer">The int8 layer.</param>
/// <param name="makeSimulator">Makes its simulator (throws <see cref="NotSupportedException"/> for a layer it cannot run).</param>
/// <param name="input">The fp32 input value.</param>
/// <param name="output">The fp32 output value.</param>
/// <param name="makeSmoothing">Finds the SmoothQuant factors moved into its weight, or null.</param>
/// <param name="referenceWeight">The fp32 layer's weight (what the smoothing factors are read from), or null.</param>
internal sealed class LayerProbe(
    QuantizedLayerView layer, Func<LayerSimulator> makeSimulator, string input, string output, Func<float[]?> makeSmoothing, Onnx.OnnxTensor? referenceWeight)
{
    private LayerSimulator? _simulator;
    private float[]? _smoothing;
    private bool _prepared;

    private double _signal, _noise, _dot, _simEnergy, _maxAbs;

    public QuantizedLayerView Layer => layer;

    public string Input => input;

    public string Output => output;

    public string? Note { get; private set; }

    /// <summary>Drops the simulator once every sample was added (it is made again should another come).</summary>
    public void ReleaseSimulator()
    {
        _simulator = null;
        _smoothing = null;
        _prepared = false;
    }

    public void Add((float[] Values, long[] Shape) x, float[] reference)
    {
        if (Note is not null)
        {
            return;
        }

        float[] simulated;
        try
        {
            if (!_prepared)
            {
                _prepared = true;
                _simulator = makeSimulator();
                _smoothing = makeSmoothing();
            }

            simulated = _simulator!.Run(_smoothing is null ? x.Values : LayerErrorAnalyzer.Smooth(x.Values, _smoothing), x.Shape);
        }
        catch (NotSupportedException ex)
        {
            Note = ex.Message;
            return;
        }

        if (simulated.Length != reference.Length)
        {
            Note = $"the simulated output has {simulated.Length} values, the fp32 layer {reference.Length}";
            return;
        }

        for (var i = 0; i < reference.Length; i++)
        {
            double y = reference[i], yq = simulated[i], e = y - yq;
            _signal += y * y;
            _noise += e * e;
            _dot += y * yq;
            _simEnergy += yq * yq;
            _maxAbs = Math.Max(_maxAbs, Math.Abs(e));
        }
    }

    /// <summary>The fp32 layer's weight, or null (with the int8 layer it determines the smoothing factors).</summary>
    public Onnx.OnnxTensor? ReferenceWeight => referenceWeight;

    /// <summary>The running sums as bytes (a cached segment result).</summary>
    public void Write(BinaryWriter writer)
    {
        writer.Write(Note ?? string.Empty);
        writer.Write(Note is not null);
        writer.Write(_signal);
        writer.Write(_noise);
        writer.Write(_dot);
        writer.Write(_simEnergy);
        writer.Write(_maxAbs);
    }

    /// <summary>Takes running sums written by <see cref="Write"/> back.</summary>
    public void Read(BinaryReader reader)
    {
        var note = reader.ReadString();
        Note = reader.ReadBoolean() ? note : null;
        _signal = reader.ReadDouble();
        _noise = reader.ReadDouble();
        _dot = reader.ReadDouble();
        _simEnergy = reader.ReadDouble();
        _maxAbs = reader.ReadDouble();
    }

    public LayerError Result() => new(
        layer.Name,
        layer.OpType,
        layer.ActivationMode,
        LayerErrorAnalyzer.SignalToNoiseDb(_signal, _noise),
        // Two all-zero outputs agree fully; one all-zero output against a non-zero one has no direction: 0.
        _signal == 0 && _simEnergy == 0 ? 1.0 : _signal == 0 || _simEnergy == 0 ? 0.0 : _dot / Math.Sqrt(_signal * _simEnergy),
        _maxAbs);
}
