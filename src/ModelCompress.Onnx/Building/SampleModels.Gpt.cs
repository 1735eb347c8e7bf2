namespace ModelCompress.Onnx;

/// <summary>The transformer sample.</summary>
public static partial class SampleModels
{
    /// <summary>
    /// One pre-LayerNorm GPT block, written as plain ONNX ops the way exporters emit it:
    /// <c>x</c> [batch, seq, <paramref name="dModel"/>] → LayerNormalization → MatMul (fused QKV) + bias → Split →
    /// per-head Reshape/Transpose → MatMul QKᵀ → Mul 1/√d_head → Softmax → MatMul V → Transpose/Reshape → MatMul
    /// (proj) + bias → residual Add → LayerNormalization → MatMul + bias → Gelu → MatMul + bias → residual Add →
    /// <c>y</c>. No causal mask. Opset 20 (for Gelu).
    /// </summary>
    public static OnnxModel GptBlock(int dModel = 64, int heads = 4, int ffnMultiplier = 4, ulong seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dModel);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(heads);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ffnMultiplier);
        if (dModel % heads != 0)
        {
            throw new ArgumentException("dModel must be a multiple of heads.", nameof(heads));
        }

        var headDim = dModel / heads;
        var ffn = dModel * ffnMultiplier;
        var rng = new DeterministicRandom(seed);
        var b = new OnnxModelBuilder("gpt_block").Opset(20).Producer("ModelCompress.SampleModels", "1");
        var g = b.Graph;
        g.Input("x", TensorDataType.Float, "batch", "seq", dModel);

        var ln1 = LayerNorm(g, rng, "/ln_1", "x", dModel);
        var qkv = Linear(g, rng, "/attn/c_attn", ln1, dModel, 3 * dModel);
        var split = g.Graph.UniqueName("/attn/Split_output");
        var parts = new[] { split + "_q", split + "_k", split + "_v" };
        var splitSizes = g.InitializerInt64("attn.split_sizes", [3], [dModel, dModel, dModel]);
        g.Node("Split", [qkv, splitSizes], parts, "/attn/Split").SetAttribute("axis", -1);

        var headShape = g.InitializerInt64("attn.head_shape", [4], [0, 0, heads, headDim]);
        var q = Named(g, "Transpose", "/attn/q", [Named(g, "Reshape", "/attn/q", [parts[0], headShape])], n => n.SetAttribute("perm", [0L, 2L, 1L, 3L]));
        var k = Named(g, "Transpose", "/attn/k", [Named(g, "Reshape", "/attn/k", [parts[1], headShape])], n => n.SetAttribute("perm", [0L, 2L, 3L, 1L]));
        var v = Named(g, "Transpose", "/attn/v", [Named(g, "Reshape", "/attn/v", [parts[2], headShape])], n => n.SetAttribute("perm", [0L, 2L, 1L, 3L]));

        var scores = Named(g, "MatMul", "/attn/qk", [q, k]);
        var scale = g.Initializer("attn.scale", [], [1f / MathF.Sqrt(headDim)]);
        var scaled = Named(g, "Mul", "/attn/qk", [scores, scale]);
        var probs = Named(g, "Softmax", "/attn", [scaled], n => n.SetAttribute("axis", -1));
        var context = Named(g, "MatMul", "/attn/pv", [probs, v]);
        var merged = Named(g, "Transpose", "/attn/merge", [context], n => n.SetAttribute("perm", [0L, 2L, 1L, 3L]));
        var modelShape = g.InitializerInt64("attn.model_shape", [3], [0, 0, dModel]);
        var flat = Named(g, "Reshape", "/attn/merge", [merged, modelShape]);
        var proj = Linear(g, rng, "/attn/c_proj", flat, dModel, dModel);
        var residual1 = Named(g, "Add", "/residual_1", ["x", proj]);

        var ln2 = LayerNorm(g, rng, "/ln_2", residual1, dModel);
        var fc = Linear(g, rng, "/mlp/c_fc", ln2, dModel, ffn);
        var act = Named(g, "Gelu", "/mlp", [fc]);
        var down = Linear(g, rng, "/mlp/c_proj", act, ffn, dModel);
        Named(g, "Add", "/residual_2", [residual1, down], output: "y");
        g.Output("y", TensorDataType.Float, "batch", "seq", dModel);
        return b.Build();
    }

    /// <summary>LayerNormalization over the last axis with a scale near 1 and a small bias (trained-model-like).</summary>
    private static string LayerNorm(OnnxGraphBuilder g, DeterministicRandom rng, string scope, string x, int width)
    {
        var prefix = scope.TrimStart('/');
        var gamma = new float[width];
        for (var i = 0; i < width; i++)
        {
            gamma[i] = 1f + rng.NextUniform(0.1f);
        }

        var wName = g.Initializer($"{prefix}.weight", [width], gamma);
        var bName = g.Initializer($"{prefix}.bias", [width], rng.Uniform(width, 0.05f));
        return Named(g, "LayerNormalization", scope, [x, wName, bName], n => n.SetAttribute("axis", -1).SetAttribute("epsilon", 1e-5f));
    }
}
