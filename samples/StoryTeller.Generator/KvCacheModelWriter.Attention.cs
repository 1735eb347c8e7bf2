namespace StoryTeller.Generator;

/// <summary>Causal grouped-query attention over the cached and the new positions, with rotary position embeddings.</summary>
public sealed partial class KvCacheModelWriter
{
    /// <summary>Masked scores get this value: its exp underflows to exactly 0, as if the key were absent.</summary>
    private const float MaskedScore = -1e9f;

    /// <summary>Values shared by every layer: the [seq, total] causal mask and the RoPE rows of the new positions.</summary>
    private readonly record struct Positions(string CausalMask, string Cos, string Sin);

    /// <summary>
    /// past = dim 2 of past_key.0, seq = dim 1 of input_ids, total = past + seq. The new queries are positions
    /// past … total−1, the keys 0 … total−1; a key is masked when it comes after the query.
    /// </summary>
    private Positions AddPositions()
    {
        var c = _config;
        var one1d = Int64s("const.one_1d", 1);
        var two1d = Int64s("const.two_1d", 2);
        var three1d = Int64s("const.three_1d", 3);
        var zero1d = Int64s("const.zero_1d", 0);
        var past = Node("Slice", "positions.past", [Node("Shape", "positions.past_shape", [KvCacheNames.PastKey(0)]), two1d, three1d, zero1d]);
        var seq = Node("Slice", "positions.seq", [Node("Shape", "positions.ids_shape", [KvCacheNames.InputIds]), one1d, two1d, zero1d]);
        var total = Node("Add", "positions.total", [past, seq]);
        var pastScalar = Node("Squeeze", "positions.past_scalar", [past, zero1d]);
        var totalScalar = Node("Squeeze", "positions.total_scalar", [total, zero1d]);
        var oneScalar = _g.Graph.Initializers.ContainsKey("const.one") ? "const.one" : _g.InitializerInt64("const.one", [], [1]);
        var zeroScalar = _g.Graph.Initializers.ContainsKey("const.zero") ? "const.zero" : _g.InitializerInt64("const.zero", [], [0]);
        var queries = Node("Unsqueeze", "positions.query", [Node("Range", "positions.query_index", [pastScalar, totalScalar, oneScalar]), one1d]);
        var keys = Node("Unsqueeze", "positions.key", [Node("Range", "positions.key_index", [zeroScalar, totalScalar, oneScalar]), zero1d]);
        var mask = Node("Greater", "attention.causal_mask", [keys, queries]);

        // run.c rotates each pair (2i, 2i+1) of a head by pos·θ_i, θ_i = 10000^(−2i/head_size) (RoFormer, Su et al.
        // 2021), in float as run.c does; one row per position, [seq_len, 1, half, 1] to broadcast over heads.
        var half = c.HeadSize / 2;
        var cos = new float[c.SeqLen * half];
        var sin = new float[c.SeqLen * half];
        for (var j = 0; j < half; j++)
        {
            var freq = 1.0f / MathF.Pow(10000.0f, 2 * j / (float)c.HeadSize);
            for (var pos = 0; pos < c.SeqLen; pos++)
            {
                cos[(pos * half) + j] = MathF.Cos(pos * freq);
                sin[(pos * half) + j] = MathF.Sin(pos * freq);
            }
        }

        var cosTable = _g.Initializer("rope.cos", [c.SeqLen, 1, half, 1], cos);
        var sinTable = _g.Initializer("rope.sin", [c.SeqLen, 1, half, 1], sin);
        var cosRows = Node("Slice", "rope.cos.positions", [cosTable, past, total, zero1d]);
        var sinRows = Node("Slice", "rope.sin.positions", [sinTable, past, total, zero1d]);
        return new Positions(mask, cosRows, sinRows);
    }

    /// <summary>
    /// softmax(q·kᵀ/√head_size, causal)·v (Vaswani et al. 2017) with grouped-query heads: query heads are viewed as
    /// [kv_heads, kv_mul] so each group of kv_mul consecutive query heads meets its one key/value head by broadcasting
    /// (run.c's kv head h / kv_mul), without copying the cache.
    /// </summary>
    private string Attention(int layer, string x, Positions positions)
    {
        var c = _config;
        var scope = $"layers.{layer}.attention";
        var q = Linear($"{scope}.wq", x, _checkpoint.Layer(_checkpoint.Wq, layer).Span, c.Dim, c.Dim);
        var k = Linear($"{scope}.wk", x, _checkpoint.Layer(_checkpoint.Wk, layer).Span, c.KvDim, c.Dim);
        var v = Linear($"{scope}.wv", x, _checkpoint.Layer(_checkpoint.Wv, layer).Span, c.KvDim, c.Dim);

        // [b, seq, heads, hs] → [b, kv_heads, kv_mul, seq, hs]
        var qT = Node("Transpose", $"{scope}.q.transpose", [Rope($"{scope}.q", q, c.Heads, positions)], n => n.SetAttribute("perm", [0L, 2L, 1L, 3L]));
        var qGroups = Node("Reshape", $"{scope}.q.groups", [qT, Int64s("const.shape.q_groups", 0, c.KvHeads, c.KvMultiplier, -1, c.HeadSize)]);

        // New keys/values [b, seq, kv_heads, hs] → [b, kv_heads, seq, hs], appended to the cache on the position axis.
        var kNew = Node("Transpose", $"{scope}.k.transpose", [Rope($"{scope}.k", k, c.KvHeads, positions)], n => n.SetAttribute("perm", [0L, 2L, 1L, 3L]));
        var vHeads = Node("Reshape", $"{scope}.v.heads", [v, Int64s("const.shape.kv_heads", 0, 0, c.KvHeads, c.HeadSize)]);
        var vNew = Node("Transpose", $"{scope}.v.transpose", [vHeads], n => n.SetAttribute("perm", [0L, 2L, 1L, 3L]));
        var keys = Node("Concat", $"{scope}.present_key", [KvCacheNames.PastKey(layer), kNew], n => n.SetAttribute("axis", 2), KvCacheNames.PresentKey(layer));
        var values = Node("Concat", $"{scope}.present_value", [KvCacheNames.PastValue(layer), vNew], n => n.SetAttribute("axis", 2), KvCacheNames.PresentValue(layer));

        // [b, kv_heads, total, hs] → [b, kv_heads, 1, hs, total] (keys) and [b, kv_heads, 1, total, hs] (values).
        var two1d = Int64s("const.two_1d", 2);
        var kT = Node("Transpose", $"{scope}.k.scores_layout", [Node("Unsqueeze", $"{scope}.k.group_axis", [keys, two1d])], n => n.SetAttribute("perm", [0L, 1L, 2L, 4L, 3L]));
        var vGroups = Node("Unsqueeze", $"{scope}.v.group_axis", [values, two1d]);

        var scores = Node("MatMul", $"{scope}.scores", [qGroups, kT]);
        var scaled = Node("Div", $"{scope}.scores_scaled", [scores, Constant("const.attention_scale", MathF.Sqrt(c.HeadSize))]);
        var masked = Node("Where", $"{scope}.scores_masked", [positions.CausalMask, Constant("const.masked_score", MaskedScore), scaled]);
        var probs = Node("Softmax", $"{scope}.probs", [masked], n => n.SetAttribute("axis", -1));
        var context = Node("MatMul", $"{scope}.context", [probs, vGroups]);

        // [b, kv_heads, kv_mul, seq, hs] → [b, heads, seq, hs] → [b, seq, heads, hs] → [b, seq, dim]
        var heads = Node("Reshape", $"{scope}.context.heads", [context, Int64s("const.shape.context_heads", 0, c.Heads, -1, c.HeadSize)]);
        var merged = Node("Transpose", $"{scope}.context.transpose", [heads], n => n.SetAttribute("perm", [0L, 2L, 1L, 3L]));
        var flat = Node("Reshape", $"{scope}.context.merge", [merged, Int64s("const.shape.model", 0, 0, c.Dim)]);
        return Linear($"{scope}.wo", flat, _checkpoint.Layer(_checkpoint.Wo, layer).Span, c.Dim, c.Dim);
    }

    /// <summary>
    /// [b, seq, heads·hs] → [b, seq, heads, hs], each pair (a, b) = (x[2i], x[2i+1]) rotated to
    /// (a·cos − b·sin, a·sin + b·cos), the order of run.c's arithmetic.
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
}
