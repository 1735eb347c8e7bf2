namespace ModelCompress.Importers;

/// <summary>Causal grouped-query attention with rotary position embeddings.</summary>
internal sealed partial class Llama2cOnnxWriter
{
    /// <summary>Masked attention scores get this value: exp of it underflows to exactly 0, as if the key were absent.</summary>
    private const float MaskedScore = -1e9f;

    /// <summary>The per-sequence values every layer shares: the causal mask and the RoPE tables cut to the sequence.</summary>
    private readonly record struct Positions(string CausalMask, string Cos, string Sin);

    /// <summary>
    /// Builds, once, the [seq, seq] causal mask (true where the key comes after the query) and the RoPE cos/sin rows of
    /// positions 0..seq-1, from the runtime sequence length of <c>input_ids</c>.
    /// </summary>
    private Positions AddPositions()
    {
        var shape = Node("Shape", "positions.shape", [Llama2cImporter.InputName]);
        var seqLen = Node("Slice", "positions.seq_len", [shape, Int64s("const.one_1d", 1), Int64s("const.two_1d", 2), Int64s("const.zero_1d", 0)]);
        var seqScalar = Node("Squeeze", "positions.seq_len_scalar", [seqLen, Int64s("const.zero_1d", 0)]);
        var index = Node("Range", "positions.index", [Int64Scalar("const.zero", 0), seqScalar, Int64Scalar("const.one", 1)]);
        var query = Node("Unsqueeze", "positions.query", [index, Int64s("const.one_1d", 1)]);
        var key = Node("Unsqueeze", "positions.key", [index, Int64s("const.zero_1d", 0)]);
        var mask = Node("Greater", "attention.causal_mask", [key, query]);
        var (cosTable, sinTable) = RopeTables();
        var zero = Int64s("const.zero_1d", 0);
        var cosRows = Node("Slice", "rope.cos.positions", [cosTable, zero, seqLen, zero]);
        var sinRows = Node("Slice", "rope.sin.positions", [sinTable, zero, seqLen, zero]);
        return new Positions(mask, cosRows, sinRows);
    }

    /// <summary>
    /// The RoPE cos/sin tables of every position the checkpoint covers: run.c rotates each pair (2i, 2i+1) of a head by
    /// the angle pos·θ_i with θ_i = 10000^(−2i/head_size) (RoFormer, Su et al. 2021), computed in float exactly as run.c
    /// does; rows are positions, [seq_len, 1, half, 1] to broadcast against the [batch, seq, heads, half, 1] halves.
    /// </summary>
    private (string Cos, string Sin) RopeTables()
    {
        var c = _config;
        var half = c.HeadSize / 2;
        var cos = new float[c.SeqLen * half];
        var sin = new float[c.SeqLen * half];
        for (var j = 0; j < half; j++)
        {
            var freq = 1.0f / MathF.Pow(10000.0f, 2 * j / (float)c.HeadSize);
            for (var pos = 0; pos < c.SeqLen; pos++)
            {
                var angle = pos * freq;
                cos[(pos * half) + j] = MathF.Cos(angle);
                sin[(pos * half) + j] = MathF.Sin(angle);
            }
        }

        return (_g.Initializer("rope.cos", [c.SeqLen, 1, half, 1], cos), _g.Initializer("rope.sin", [c.SeqLen, 1, half, 1], sin));
    }

    /// <summary>
    /// Scaled dot-product attention (Vaswani et al. 2017): softmax(q·kᵀ / √head_size, causal) · v, with each key/value
    /// head shared by <see cref="Llama2cConfig.KvMultiplier"/> consecutive query heads (GQA; run.c uses kv head h / kv_mul).
    /// </summary>
    private string Attention(int layer, string x, Positions positions)
    {
        var c = _config;
        var scope = $"layers.{layer}.attention";
        var q = Linear($"{scope}.wq", x, _checkpoint.Layer(_checkpoint.Wq, layer).Span, c.Dim, c.Dim);
        var k = Linear($"{scope}.wk", x, _checkpoint.Layer(_checkpoint.Wk, layer).Span, c.KvDim, c.Dim);
        var v = Linear($"{scope}.wv", x, _checkpoint.Layer(_checkpoint.Wv, layer).Span, c.KvDim, c.Dim);

        // Either way the context comes out [batch, heads, seq, head_size].
        var context = _keyValueCache ? CachedAttention(layer, scope, q, k, v, positions) : WholeTextAttention(scope, q, k, v, positions);
        var merged = Node("Transpose", $"{scope}.context.transpose", [context], n => n.SetAttribute("perm", [0L, 2L, 1L, 3L]));
        var flat = Node("Reshape", $"{scope}.context.merge", [merged, Int64s("const.shape.model", 0, 0, c.Dim)]);
        return Linear($"{scope}.wo", flat, _checkpoint.Layer(_checkpoint.Wo, layer).Span, c.Dim, c.Dim);
    }

    /// <summary>Attention over the sequence alone: key/value heads repeated for their query heads.</summary>
    private string WholeTextAttention(string scope, string q, string k, string v, Positions positions)
    {
        var c = _config;
        var qHeads = Rope($"{scope}.q", q, c.Heads, positions);
        var kHeads = RepeatKv($"{scope}.k", Rope($"{scope}.k", k, c.KvHeads, positions));
        var vHeads = RepeatKv($"{scope}.v", Node("Reshape", $"{scope}.v.heads", [v, Int64s("const.shape.kv_heads", 0, 0, c.KvHeads, c.HeadSize)]));

        var qT = Node("Transpose", $"{scope}.q.transpose", [qHeads], n => n.SetAttribute("perm", [0L, 2L, 1L, 3L]));
        var kT = Node("Transpose", $"{scope}.k.transpose", [kHeads], n => n.SetAttribute("perm", [0L, 2L, 3L, 1L]));
        var vT = Node("Transpose", $"{scope}.v.transpose", [vHeads], n => n.SetAttribute("perm", [0L, 2L, 1L, 3L]));
        return AttentionProducts(scope, qT, kT, vT, positions);
    }

    /// <summary>softmax(q·kᵀ / √head_size, causal) · v, on queries, transposed keys and values laid out for MatMul.</summary>
    private string AttentionProducts(string scope, string q, string kT, string v, Positions positions)
    {
        var scores = Node("MatMul", $"{scope}.scores", [q, kT]);
        var scaled = Node("Div", $"{scope}.scores_scaled", [scores, Constant("const.attention_scale", MathF.Sqrt(_config.HeadSize))]);
        var masked = Node("Where", $"{scope}.scores_masked", [positions.CausalMask, Constant("const.masked_score", MaskedScore), scaled]);
        var probs = Node("Softmax", $"{scope}.probs", [masked], n => n.SetAttribute("axis", -1));
        return Node("MatMul", $"{scope}.context", [probs, v]);
    }

    /// <summary>
    /// Rotates [batch, seq, heads·head_size] into [batch, seq, heads, head_size]: each pair (a, b) = (x[2i], x[2i+1])
    /// becomes (a·cos − b·sin, a·sin + b·cos), the order of run.c's arithmetic.
    /// </summary>
    private string Rope(string scope, string x, int heads, Positions positions)
    {
        var c = _config;
        var pairs = Node("Reshape", $"{scope}.rope.pairs", [x, Int64s($"const.shape.pairs_{heads}", 0, 0, heads, c.HeadSize / 2, 2)]);
        var even = $"{scope}.rope.even";
        var odd = $"{scope}.rope.odd";
        _g.Node("Split", [pairs], [even, odd], $"{scope}.rope.split").SetAttribute("axis", -1);
        var real = Node("Sub", $"{scope}.rope.real", [
            Node("Mul", $"{scope}.rope.even_cos", [even, positions.Cos]),
            Node("Mul", $"{scope}.rope.odd_sin", [odd, positions.Sin])]);
        var imaginary = Node("Add", $"{scope}.rope.imaginary", [
            Node("Mul", $"{scope}.rope.even_sin", [even, positions.Sin]),
            Node("Mul", $"{scope}.rope.odd_cos", [odd, positions.Cos])]);
        var rotated = Node("Concat", $"{scope}.rope.concat", [real, imaginary], n => n.SetAttribute("axis", -1));
        return Node("Reshape", $"{scope}.rope", [rotated, Int64s($"const.shape.heads_{heads}", 0, 0, heads, c.HeadSize)]);
    }

    /// <summary>[batch, seq, kv_heads, head_size] → [batch, seq, heads, head_size], kv head j serving query heads j·kv_mul ….</summary>
    private string RepeatKv(string scope, string x)
    {
        var c = _config;
        if (c.KvMultiplier == 1)
        {
            return x;
        }

        var grouped = Node("Reshape", $"{scope}.repeat.group", [x, Int64s("const.shape.kv_group", 0, 0, c.KvHeads, 1, c.HeadSize)]);
        var tiled = Node("Tile", $"{scope}.repeat.tile", [grouped, Int64s("const.kv_repeats", 1, 1, 1, c.KvMultiplier, 1)]);
        return Node("Reshape", $"{scope}.repeat", [tiled, Int64s($"const.shape.heads_{c.Heads}", 0, 0, c.Heads, c.HeadSize)]);
    }
}
