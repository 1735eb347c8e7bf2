namespace ModelCompress.Onnx;

/// <summary>
/// Small, deterministic models for tests, samples and benchmarks. Weights come from <see cref="DeterministicRandom"/>
/// with the given seed, so the same call always produces byte-identical models. Node and value names follow the
/// path style of PyTorch exports (<c>/fc1/MatMul</c>), which recipes match with patterns.
/// </summary>
public static partial class SampleModels
{
    /// <summary>
    /// A multi-layer perceptron: <c>input</c> [batch, <paramref name="inputSize"/>] → (MatMul → Add → Relu) ×
    /// <paramref name="hiddenLayers"/> → MatMul → Add → <c>logits</c> [batch, <paramref name="outputSize"/>]. Opset 17.
    /// </summary>
    public static OnnxModel Mlp(int inputSize = 16, int hiddenSize = 32, int outputSize = 10, int hiddenLayers = 2, ulong seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputSize);
        ArgumentOutOfRangeException.ThrowIfNegative(hiddenLayers);
        var rng = new DeterministicRandom(seed);
        var b = new OnnxModelBuilder("mlp").Opset(17).Producer("ModelCompress.SampleModels", "1");
        var g = b.Graph;
        g.Input("input", TensorDataType.Float, "batch", inputSize);
        var x = "input";
        var width = inputSize;
        for (var layer = 1; layer <= hiddenLayers + 1; layer++)
        {
            var last = layer == hiddenLayers + 1;
            var outWidth = last ? outputSize : hiddenSize;
            var scope = $"/fc{layer}";
            x = Linear(g, rng, scope, x, width, outWidth, last ? "logits" : null);
            if (!last)
            {
                x = Named(g, "Relu", scope, [x]);
            }

            width = outWidth;
        }

        g.Output("logits", TensorDataType.Float, "batch", outputSize);
        return b.Build();
    }

    /// <summary>
    /// A small CNN: <c>input</c> [batch, <paramref name="channels"/>, <paramref name="height"/>, <paramref name="width"/>]
    /// → Conv 3×3 (8) → Relu → MaxPool 2 → Conv 3×3 (16) → Relu → MaxPool 2 → Flatten → Gemm → <c>logits</c>
    /// [batch, <paramref name="classes"/>]. Height and width must be multiples of 4. Opset 17.
    /// </summary>
    public static OnnxModel ConvNet(int channels = 1, int height = 28, int width = 28, int classes = 10, ulong seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        if (height <= 0 || width <= 0 || height % 4 != 0 || width % 4 != 0)
        {
            throw new ArgumentException("Height and width must be positive multiples of 4.");
        }

        var rng = new DeterministicRandom(seed);
        var b = new OnnxModelBuilder("convnet").Opset(17).Producer("ModelCompress.SampleModels", "1");
        var g = b.Graph;
        g.Input("input", TensorDataType.Float, "batch", channels, height, width);
        var x = Conv(g, rng, "/conv1", "input", channels, 8);
        x = Named(g, "Relu", "/conv1", [x]);
        x = Pool(g, "/pool1", x);
        x = Conv(g, rng, "/conv2", x, 8, 16);
        x = Named(g, "Relu", "/conv2", [x]);
        x = Pool(g, "/pool2", x);
        x = Named(g, "Flatten", "/head", [x], n => n.SetAttribute("axis", 1));
        var features = 16 * (height / 4) * (width / 4);
        var w = g.Initializer("head.weight", [classes, features], rng.Uniform(classes * features, Limit(features)));
        var bias = g.Initializer("head.bias", [classes], rng.Uniform(classes, Limit(features)));
        g.Node("Gemm", [x, w, bias], ["logits"], "/head/Gemm").SetAttribute("transB", 1);
        g.Output("logits", TensorDataType.Float, "batch", classes);
        return b.Build();
    }

    /// <summary>Kaiming-uniform style bound 1/sqrt(fan_in) (as PyTorch's Linear/Conv default initialisation).</summary>
    private static float Limit(int fanIn) => 1f / MathF.Sqrt(fanIn);

    /// <summary>MatMul by a [in, out] weight then Add a bias; returns the output value name.</summary>
    private static string Linear(OnnxGraphBuilder g, DeterministicRandom rng, string scope, string x, int inSize, int outSize, string? output = null)
    {
        var prefix = scope.TrimStart('/').Replace('/', '.');
        var w = g.Initializer($"{prefix}.weight", [inSize, outSize], rng.Uniform(inSize * outSize, Limit(inSize)));
        var bias = g.Initializer($"{prefix}.bias", [outSize], rng.Uniform(outSize, Limit(inSize)));
        var mm = Named(g, "MatMul", scope, [x, w]);
        return Named(g, "Add", scope, [mm, bias], output: output);
    }

    private static string Conv(OnnxGraphBuilder g, DeterministicRandom rng, string scope, string x, int inChannels, int outChannels)
    {
        var prefix = scope.TrimStart('/');
        var fanIn = inChannels * 9;
        var w = g.Initializer($"{prefix}.weight", [outChannels, inChannels, 3, 3], rng.Uniform(outChannels * fanIn, Limit(fanIn)));
        var bias = g.Initializer($"{prefix}.bias", [outChannels], rng.Uniform(outChannels, Limit(fanIn)));
        return Named(g, "Conv", scope, [x, w, bias], n => n
            .SetAttribute("kernel_shape", [3L, 3L])
            .SetAttribute("pads", [1L, 1L, 1L, 1L])
            .SetAttribute("strides", [1L, 1L]));
    }

    private static string Pool(OnnxGraphBuilder g, string scope, string x) =>
        Named(g, "MaxPool", scope, [x], n => n.SetAttribute("kernel_shape", [2L, 2L]).SetAttribute("strides", [2L, 2L]));

    /// <summary>Adds <c>scope/OpType</c> (unique) with output <c>scope/OpType_output_0</c> or <paramref name="output"/>.</summary>
    private static string Named(OnnxGraphBuilder g, string opType, string scope, string[] inputs, Action<OnnxNode>? configure = null, string? output = null)
    {
        var name = g.Graph.UniqueName($"{scope}/{opType}");
        var outName = output ?? g.Graph.UniqueName(name + "_output_0");
        var node = g.Node(opType, inputs, [outName], name);
        configure?.Invoke(node);
        return outName;
    }
}
