using ModelCompress.Kernels;
using ModelCompress.Onnx;

namespace ModelCompress.Verification;

/// <summary>
/// One int8 linear layer as the compressed graph stores it: its int8 weight with per-output-channel (or per-tensor)
/// scales, its float bias, and how its input is quantized — fixed parameters from a QuantizeLinear in front of it
/// (static QDQ), or none, in which case the simulation quantizes each sample per tensor on the fly (dynamic).
/// </summary>
/// <param name="Name">The node name (or its first output when unnamed); the name <c>exclude:</c> takes.</param>
/// <param name="Node">The MatMul, Gemm or Conv node in the compressed graph.</param>
/// <param name="Weights">The int8 weight values, row-major in the weight's own layout.</param>
/// <param name="WeightShape">The weight's dimensions.</param>
/// <param name="WeightScales">One scale per output channel, or a single per-tensor scale.</param>
/// <param name="Bias">The layer's own bias (Gemm C, Conv B) as floats, or null.</param>
/// <param name="Activation">Static activation parameters and type, or null for dynamic per-sample quantization.</param>
internal sealed record QuantizedLayerView(
    string Name,
    OnnxNode Node,
    sbyte[] Weights,
    long[] WeightShape,
    float[] WeightScales,
    float[]? Bias,
    (QuantizationParameters Parameters, QuantizedType Type)? Activation)
{
    /// <summary>The operator type.</summary>
    public string OpType => Node.OpType;

    /// <summary>How the input is quantized, for the report: <c>static uint8</c>, <c>static int8</c> or <c>dynamic uint8</c>.</summary>
    public string ActivationMode => Activation is { } a
        ? (a.Type == QuantizedType.UInt8 ? "static uint8" : "static int8")
        : "dynamic uint8";

    private readonly sbyte[]? _weights = Weights;

    /// <summary>
    /// The int8 weight values: those given, or read from the graph's tensor on each call (<see cref="Reading"/>), so a
    /// large model's layer list does not hold every layer's weights at once (they may lie in a spill file).
    /// </summary>
    public sbyte[] Weights
    {
        get => _weights ?? ReadWeights!();
        init => _weights = value;
    }

    private Func<sbyte[]>? ReadWeights { get; init; }

    /// <summary>A view whose weights are read by <paramref name="readWeights"/> whenever they are asked for.</summary>
    public static QuantizedLayerView Reading(
        string name, OnnxNode node, Func<sbyte[]> readWeights, long[] weightShape, float[] weightScales, float[]? bias,
        (QuantizationParameters Parameters, QuantizedType Type)? activation) =>
        new(name, node, null!, weightShape, weightScales, bias, activation) { ReadWeights = readWeights };
}
