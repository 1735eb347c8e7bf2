using ModelCompress.Onnx;

namespace ModelCompress.Analysis;

/// <summary>
/// One quantizable linear layer: a MatMul, Gemm or Conv whose weight is a constant float tensor (an initializer or a
/// Constant node's output). The layer multiplies its input activation's channel axis (the last axis for MatMul/Gemm,
/// axis 1 for Conv) by the weight's input-channel axis and produces <see cref="OutFeatures"/> output channels.
/// </summary>
public sealed class LinearLayer
{
    internal LinearLayer(
        OnnxNode node,
        LinearLayerKind kind,
        OnnxTensor weight,
        int inFeatures,
        int outFeatures,
        bool transposedWeight,
        string? biasName,
        OnnxNode? biasAdd,
        bool weightFromConstantNode,
        float alpha = 1f,
        float beta = 1f)
    {
        Alpha = alpha;
        Beta = beta;
        Node = node;
        Kind = kind;
        Weight = weight;
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        TransposedWeight = transposedWeight;
        BiasName = biasName;
        BiasAdd = biasAdd;
        WeightFromConstantNode = weightFromConstantNode;
    }

    /// <summary>The layer's node in the analyzed graph.</summary>
    public OnnxNode Node { get; }

    /// <summary>The node's name, or its first output when it has none.</summary>
    public string Name => Node.Name.Length > 0 ? Node.Name : Node.Outputs.FirstOrDefault() ?? "(unnamed)";

    /// <summary>Whether the node sits inside an If, Loop or Scan subgraph (its graph has a parent node).</summary>
    public bool InSubgraph => Node.Graph?.ParentNode is not null;

    /// <summary>The operator.</summary>
    public LinearLayerKind Kind { get; }

    /// <summary>The activation input (input 0).</summary>
    public string InputName => Node.Inputs[0];

    /// <summary>The weight value (input 1).</summary>
    public string WeightName => Node.Inputs[1];

    /// <summary>The weight tensor as found when the graph was analyzed.</summary>
    public OnnxTensor Weight { get; }

    /// <summary>Whether the weight is not an initializer: a Constant node's output, or a layout op (Reshape, ...) of a constant.</summary>
    public bool WeightFromConstantNode { get; }

    /// <summary>Input channels K (the contracted axis; for Conv the kernel's C/group times group).</summary>
    public int InFeatures { get; }

    /// <summary>Output channels N.</summary>
    public int OutFeatures { get; }

    /// <summary>Whether the weight is stored [N, K] (Gemm with <c>transB</c>) instead of [K, N] (MatMul, Gemm).</summary>
    public bool TransposedWeight { get; }

    /// <summary>
    /// The weight axis that indexes output channels, the per-channel quantization axis: MatMul the last, Gemm 1 (0
    /// when <see cref="TransposedWeight"/>), Conv 0.
    /// </summary>
    public int OutputChannelAxis => Kind == LinearLayerKind.Conv || TransposedWeight ? 0 : Weight.Rank - 1;

    /// <summary>
    /// Whether the weight is a stack of [K, N] matrices (a MatMul weight of rank &gt; 2): only passes that quantize
    /// per output column (weight-only, dynamic) take it; <see cref="WeightKN"/> has no single-matrix view of it.
    /// </summary>
    public bool IsBatched => Kind == LinearLayerKind.MatMul && Weight.Rank > 2;

    /// <summary>
    /// The bias value: Gemm's C or Conv's B, or for MatMul the constant operand of the Add that alone consumes the
    /// product (exporters split Linear into MatMul + Add). Null without a bias.
    /// </summary>
    public string? BiasName { get; }

    /// <summary>Gemm's <c>alpha</c> (the product's factor); 1 for MatMul and Conv.</summary>
    public float Alpha { get; }

    /// <summary>Gemm's <c>beta</c> (the bias factor); 1 for MatMul and Conv.</summary>
    public float Beta { get; }

    /// <summary>For MatMul, the Add that applies <see cref="BiasName"/>; null otherwise.</summary>
    public OnnxNode? BiasAdd { get; }

    /// <summary>The value holding the layer's result after its bias (the bias Add's output when there is one).</summary>
    public string OutputName => (BiasAdd ?? Node).Outputs[0];

    /// <summary>
    /// The weight as a row-major [K, N] matrix (MatMul and Gemm only): row k holds the weights input channel k
    /// contributes to each output.
    /// </summary>
    public float[] WeightKN()
    {
        if (Kind == LinearLayerKind.Conv || IsBatched)
        {
            throw new InvalidOperationException($"Layer '{Name}' ({Kind}, weight rank {Weight.Rank}) has no single [K, N] view.");
        }

        var w = Weight.ToFloatArray();
        if (!TransposedWeight)
        {
            return w;
        }

        var k = InFeatures;
        var n = OutFeatures;
        var t = new float[w.Length];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < k; j++)
            {
                t[(j * n) + i] = w[(i * k) + j];
            }
        }

        return t;
    }

    /// <summary>The bias values as added to the output (Gemm's beta applied; length <see cref="OutFeatures"/>), or null when the layer has none or it is not constant.</summary>
    public float[]? BiasValues(OnnxGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (BiasName is null || !ConstantValues.TryGet(graph, BiasName, out var bias) || bias.ElementCount != OutFeatures)
        {
            return null;
        }

        var values = bias.ToFloatArray();
        if (Beta != 1f)
        {
            for (var i = 0; i < values.Length; i++)
            {
                values[i] *= Beta;
            }
        }

        return values;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Kind} {InFeatures}x{OutFeatures})";
}
