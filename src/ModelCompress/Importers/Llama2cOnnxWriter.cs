using ModelCompress.Onnx;

namespace ModelCompress.Importers;

/// <summary>
/// Turns a <see cref="Llama2cCheckpoint"/> into an fp32 ONNX graph (opset 17, standard operators only) computing what
/// run.c's <c>forward</c> computes, for every position of a [batch, seq] token sequence at once:
/// <code>
/// x = embed[input_ids]
/// per layer:  x += wo · attention(rope(wq · n), rope(wk · n), wv · n)      with n = rmsnorm(x) ⊙ attention_norm
///             x += w2 · (silu(w1 · n) ⊙ (w3 · n))                          with n = rmsnorm(x) ⊙ ffn_norm
/// logits = wcls · (rmsnorm(x) ⊙ norm)
/// </code>
/// Every linear layer is one MatMul whose second input is a constant [in, out] initializer (the checkpoint's [out, in]
/// matrix transposed), and every RMSNorm ends in a Mul by its gamma initializer directly feeding those MatMuls, so the
/// quantizer finds the layers and SmoothQuant can fold its per-channel scales into the gamma. Node names follow the
/// checkpoint's module names (<c>layers.0.attention.wq</c>); a node's output value has the node's name.
/// </summary>
internal sealed partial class Llama2cOnnxWriter
{
    private readonly Llama2cCheckpoint _checkpoint;
    private readonly Llama2cConfig _config;
    private readonly OnnxModelBuilder _builder;
    private readonly OnnxGraphBuilder _g;
    private readonly bool _keyValueCache;

    private Llama2cOnnxWriter(Llama2cCheckpoint checkpoint, bool keyValueCache)
    {
        _checkpoint = checkpoint;
        _config = checkpoint.Config;
        _keyValueCache = keyValueCache;
        _builder = new OnnxModelBuilder(keyValueCache ? "llama2c_kv" : "llama2c").Opset(17).Producer("ModelCompress.Importers.Llama2c", "1");
        _g = _builder.Graph;
    }

    /// <summary>
    /// The model for <paramref name="checkpoint"/>, with <paramref name="metadata"/> as metadata_props; with
    /// <paramref name="keyValueCache"/>, the variant that takes and returns the key/value cache (see the
    /// KeyValueCache part of this type).
    /// </summary>
    public static OnnxModel Write(Llama2cCheckpoint checkpoint, IEnumerable<KeyValuePair<string, string>> metadata, bool keyValueCache = false)
    {
        var writer = new Llama2cOnnxWriter(checkpoint, keyValueCache);
        foreach (var (key, value) in metadata)
        {
            writer._builder.Metadata(key, value);
        }

        return writer.Build();
    }

    private OnnxModel Build()
    {
        var c = _config;
        _g.Input(Llama2cImporter.InputName, TensorDataType.Int64, "batch", "seq");
        if (_keyValueCache)
        {
            AddCacheInputs();
        }

        var positions = _keyValueCache ? AddCachedPositions() : AddPositions();

        var embeddings = _g.Initializer("tok_embeddings.weight", [c.VocabSize, c.Dim], _checkpoint.TokenEmbeddings.Span);
        var x = Node("Gather", "tok_embeddings", [embeddings, Llama2cImporter.InputName], n => n.SetAttribute("axis", 0));
        for (var layer = 0; layer < c.Layers; layer++)
        {
            x = AddBlock(layer, x, positions);
        }

        var normed = RmsNorm("norm", x, _checkpoint.FinalNorm.Span);
        Linear("output", normed, _checkpoint.Classifier.Span, c.VocabSize, c.Dim, Llama2cImporter.OutputName);
        _g.Output(Llama2cImporter.OutputName, TensorDataType.Float, "batch", "seq", c.VocabSize);
        if (_keyValueCache)
        {
            AddCacheOutputs();
        }

        return _builder.Build();
    }

    /// <summary>One transformer block: pre-norm attention and pre-norm SwiGLU feed-forward, each with a residual.</summary>
    private string AddBlock(int layer, string x, Positions positions)
    {
        var c = _config;
        var scope = $"layers.{layer}";
        var attentionIn = RmsNorm($"{scope}.attention_norm", x, _checkpoint.Layer(_checkpoint.AttentionNorm, layer).Span);
        var attention = Attention(layer, attentionIn, positions);
        x = Node("Add", $"{scope}.attention_residual", [x, attention]);

        var ffnIn = RmsNorm($"{scope}.ffn_norm", x, _checkpoint.Layer(_checkpoint.FfnNorm, layer).Span);
        var ff = $"{scope}.feed_forward";
        var gate = Linear($"{ff}.w1", ffnIn, _checkpoint.Layer(_checkpoint.W1, layer).Span, c.HiddenDim, c.Dim);
        var up = Linear($"{ff}.w3", ffnIn, _checkpoint.Layer(_checkpoint.W3, layer).Span, c.HiddenDim, c.Dim);

        // SiLU(g) = g·σ(g) (Elfwing et al. 2018), then the SwiGLU product with the up projection (Shazeer 2020).
        var sigmoid = Node("Sigmoid", $"{ff}.silu.sigmoid", [gate]);
        var silu = Node("Mul", $"{ff}.silu", [gate, sigmoid]);
        var product = Node("Mul", $"{ff}.swiglu", [silu, up]);
        var down = Linear($"{ff}.w2", product, _checkpoint.Layer(_checkpoint.W2, layer).Span, c.Dim, c.HiddenDim);
        return Node("Add", $"{scope}.ffn_residual", [x, down]);
    }

    /// <summary>
    /// RMSNorm as run.c computes it: <c>gamma ⊙ (x / sqrt(mean(x²) + 1e-5))</c> (Zhang &amp; Sennrich 2019), spelled
    /// x·x → ReduceMean → Add ε → Sqrt → Reciprocal → Mul x → Mul gamma. The last Mul is the one SmoothQuant scales.
    /// </summary>
    private string RmsNorm(string scope, string x, ReadOnlySpan<float> gamma)
    {
        var square = Node("Mul", $"{scope}.square", [x, x]);
        var mean = Node("ReduceMean", $"{scope}.mean", [square], n => n.SetAttribute("axes", [-1L]).SetAttribute("keepdims", 1));
        var shifted = Node("Add", $"{scope}.add_eps", [mean, Constant("const.rms_eps", 1e-5f)]);
        var root = Node("Sqrt", $"{scope}.sqrt", [shifted]);
        var inverse = Node("Reciprocal", $"{scope}.reciprocal", [root]);
        var normalized = Node("Mul", $"{scope}.normalize", [x, inverse]);
        var weight = _g.Initializer($"{scope}.weight", [_config.Dim], gamma);
        return Node("Mul", scope, [normalized, weight]);
    }

    /// <summary>
    /// A linear layer <c>y = x · Wᵀ</c>: the checkpoint's row-major [<paramref name="outFeatures"/>,
    /// <paramref name="inFeatures"/>] matrix is stored transposed as a [in, out] initializer named <c>scope.weight</c>.
    /// </summary>
    private string Linear(string scope, string x, ReadOnlySpan<float> weight, int outFeatures, int inFeatures, string? output = null)
    {
        var transposed = new float[weight.Length];
        for (var o = 0; o < outFeatures; o++)
        {
            var row = weight.Slice(o * inFeatures, inFeatures);
            for (var i = 0; i < inFeatures; i++)
            {
                transposed[(i * outFeatures) + o] = row[i];
            }
        }

        var w = _g.Initializer($"{scope}.weight", [inFeatures, outFeatures], transposed);
        return Node("MatMul", scope, [x, w], output: output);
    }

    /// <summary>Adds a node named <paramref name="name"/> whose single output is also <paramref name="name"/> (or <paramref name="output"/>).</summary>
    private string Node(string opType, string name, string[] inputs, Action<OnnxNode>? configure = null, string? output = null)
    {
        var node = _g.Node(opType, inputs, [output ?? name], name);
        configure?.Invoke(node);
        return output ?? name;
    }

    /// <summary>A shared scalar float constant (added once).</summary>
    private string Constant(string name, float value) =>
        _g.Graph.Initializers.ContainsKey(name) ? name : _g.Initializer(name, [], [value]);

    /// <summary>A shared int64 vector constant (added once).</summary>
    private string Int64s(string name, params long[] values) =>
        _g.Graph.Initializers.ContainsKey(name) ? name : _g.InitializerInt64(name, [values.Length], values);

    /// <summary>A shared int64 scalar constant (added once).</summary>
    private string Int64Scalar(string name, long value) =>
        _g.Graph.Initializers.ContainsKey(name) ? name : _g.InitializerInt64(name, [], [value]);
}
