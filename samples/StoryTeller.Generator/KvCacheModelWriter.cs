using System.Globalization;
using ModelCompress.Importers;
using ModelCompress.Onnx;

namespace StoryTeller.Generator;

/// <summary>
/// Writes a llama2.c checkpoint as an fp32 ONNX decoder (opset 17, standard operators) that takes the key/value cache
/// of earlier positions, so that generating one more token runs one position instead of the whole text:
/// <code>
/// inputs:  input_ids [batch, seq], past_key.L / past_value.L [batch, kv_heads, past, head_size]
/// outputs: logits [batch, seq, vocab], present_key.L / present_value.L [batch, kv_heads, past + seq, head_size]
/// </code>
/// The new tokens sit at positions past … past+seq−1 (RoPE rows and the causal mask are cut from that offset). Each
/// past input also has an empty initializer of the same name ([1, kv_heads, 0, head_size]): ONNX's default value of
/// an input, so a run that feeds only <c>input_ids</c> is a plain prompt run; that is how the compressor calibrates
/// and verifies the model on text windows without knowing about the cache. The arithmetic is run.c's, as in the
/// product's llama2.c importer: linear layers are MatMuls by constant [in, out] weights, each RMSNorm ends in a Mul by
/// its gamma, so SmoothQuant and the quantizer find every layer.
/// </summary>
public sealed partial class KvCacheModelWriter
{
    private readonly Llama2cCheckpoint _checkpoint;
    private readonly Llama2cConfig _config;
    private readonly OnnxModelBuilder _builder;
    private readonly OnnxGraphBuilder _g;

    private KvCacheModelWriter(Llama2cCheckpoint checkpoint)
    {
        _checkpoint = checkpoint;
        _config = checkpoint.Config;
        _builder = new OnnxModelBuilder("llama2c_kv").Opset(17).Producer("StoryTeller.Generator", "1");
        _g = _builder.Graph;
    }

    /// <summary>The model of <paramref name="checkpoint"/>; the same checkpoint always gives the same bytes.</summary>
    public static OnnxModel Write(Llama2cCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var writer = new KvCacheModelWriter(checkpoint);
        var c = checkpoint.Config;
        writer._builder
            .Metadata("source_format", "llama2.c")
            .Metadata("llama2c_config", c.ToString())
            .Metadata(KvCacheNames.ContextLength, c.SeqLen.ToString(CultureInfo.InvariantCulture))
            .Metadata(KvCacheNames.Layers, c.Layers.ToString(CultureInfo.InvariantCulture))
            .Metadata("kv_heads", c.KvHeads.ToString(CultureInfo.InvariantCulture))
            .Metadata("head_size", c.HeadSize.ToString(CultureInfo.InvariantCulture))
            .Metadata("vocab_size", c.VocabSize.ToString(CultureInfo.InvariantCulture));
        var model = writer.Build();
        model.DocString = "Llama decoder with a key/value cache, from a llama2.c checkpoint (" + c + ").";
        return model;
    }

    private OnnxModel Build()
    {
        var c = _config;
        _g.Input(KvCacheNames.InputIds, TensorDataType.Int64, "batch", "seq");
        for (var layer = 0; layer < c.Layers; layer++)
        {
            foreach (var name in new[] { KvCacheNames.PastKey(layer), KvCacheNames.PastValue(layer) })
            {
                _g.Input(name, TensorDataType.Float, "batch", c.KvHeads, "past", c.HeadSize);
                _g.Initializer(name, [1, c.KvHeads, 0, c.HeadSize], ReadOnlySpan<float>.Empty);
            }
        }

        var positions = AddPositions();
        var embeddings = _g.Initializer("tok_embeddings.weight", [c.VocabSize, c.Dim], _checkpoint.TokenEmbeddings.Span);
        var x = Node("Gather", "tok_embeddings", [embeddings, KvCacheNames.InputIds], n => n.SetAttribute("axis", 0));
        for (var layer = 0; layer < c.Layers; layer++)
        {
            x = AddBlock(layer, x, positions);
        }

        var normed = RmsNorm("norm", x, _checkpoint.FinalNorm.Span);
        Linear("output", normed, _checkpoint.Classifier.Span, c.VocabSize, c.Dim, KvCacheNames.Logits);
        _g.Output(KvCacheNames.Logits, TensorDataType.Float, "batch", "seq", c.VocabSize);
        for (var layer = 0; layer < c.Layers; layer++)
        {
            _g.Output(KvCacheNames.PresentKey(layer), TensorDataType.Float, "batch", c.KvHeads, "total", c.HeadSize);
            _g.Output(KvCacheNames.PresentValue(layer), TensorDataType.Float, "batch", c.KvHeads, "total", c.HeadSize);
        }

        return _builder.Build();
    }

    /// <summary>One transformer block: pre-norm attention and pre-norm SwiGLU feed-forward, each with a residual.</summary>
    private string AddBlock(int layer, string x, Positions positions)
    {
        var c = _config;
        var scope = $"layers.{layer}";
        var attentionIn = RmsNorm($"{scope}.attention_norm", x, _checkpoint.Layer(_checkpoint.AttentionNorm, layer).Span);
        x = Node("Add", $"{scope}.attention_residual", [x, Attention(layer, attentionIn, positions)]);

        var ffnIn = RmsNorm($"{scope}.ffn_norm", x, _checkpoint.Layer(_checkpoint.FfnNorm, layer).Span);
        var ff = $"{scope}.feed_forward";
        var gate = Linear($"{ff}.w1", ffnIn, _checkpoint.Layer(_checkpoint.W1, layer).Span, c.HiddenDim, c.Dim);
        var up = Linear($"{ff}.w3", ffnIn, _checkpoint.Layer(_checkpoint.W3, layer).Span, c.HiddenDim, c.Dim);

        // SwiGLU (Shazeer 2020): silu(gate) ⊙ up, with silu(g) = g·σ(g).
        var silu = Node("Mul", $"{ff}.silu", [gate, Node("Sigmoid", $"{ff}.silu.sigmoid", [gate])]);
        var product = Node("Mul", $"{ff}.swiglu", [silu, up]);
        var down = Linear($"{ff}.w2", product, _checkpoint.Layer(_checkpoint.W2, layer).Span, c.Dim, c.HiddenDim);
        return Node("Add", $"{scope}.ffn_residual", [x, down]);
    }

    /// <summary>RMSNorm as run.c computes it: gamma ⊙ x / sqrt(mean(x²) + 1e-5); the closing Mul by gamma is what SmoothQuant scales.</summary>
    private string RmsNorm(string scope, string x, ReadOnlySpan<float> gamma)
    {
        var mean = Node("ReduceMean", $"{scope}.mean", [Node("Mul", $"{scope}.square", [x, x])], n => n.SetAttribute("axes", [-1L]).SetAttribute("keepdims", 1));
        var root = Node("Sqrt", $"{scope}.sqrt", [Node("Add", $"{scope}.add_eps", [mean, Constant("const.rms_eps", 1e-5f)])]);
        var normalized = Node("Mul", $"{scope}.normalize", [x, Node("Reciprocal", $"{scope}.reciprocal", [root])]);
        return Node("Mul", scope, [normalized, _g.Initializer($"{scope}.weight", [_config.Dim], gamma)]);
    }

    /// <summary>y = x·Wᵀ: the checkpoint's row-major [out, in] matrix is stored transposed, [in, out].</summary>
    private string Linear(string scope, string x, ReadOnlySpan<float> weight, int outFeatures, int inFeatures, string? output = null)
    {
        var transposed = new float[weight.Length];
        for (var o = 0; o < outFeatures; o++)
        {
            for (var i = 0; i < inFeatures; i++)
            {
                transposed[(i * outFeatures) + o] = weight[(o * inFeatures) + i];
            }
        }

        var w = _g.Initializer($"{scope}.weight", [inFeatures, outFeatures], transposed);
        return Node("MatMul", scope, [x, w], output: output);
    }

    private string Node(string opType, string name, string[] inputs, Action<OnnxNode>? configure = null, string? output = null)
    {
        var node = _g.Node(opType, inputs, [output ?? name], name);
        configure?.Invoke(node);
        return output ?? name;
    }

    private string Constant(string name, float value) =>
        _g.Graph.Initializers.ContainsKey(name) ? name : _g.Initializer(name, [], [value]);

    private string Int64s(string name, params long[] values) =>
        _g.Graph.Initializers.ContainsKey(name) ? name : _g.InitializerInt64(name, [values.Length], values);
}
