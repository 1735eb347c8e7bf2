using ModelCompress.Onnx;

namespace ModelCompress.Importers;

/// <summary>
/// The key/value-cache variant: generating one more token runs one position instead of the whole text.
/// <code>
/// inputs:  input_ids [batch, seq], past_key.L / past_value.L [batch, kv_heads, past, head_size]
/// outputs: logits [batch, seq, vocab], present_key.L / present_value.L [batch, kv_heads, past + seq, head_size]
/// </code>
/// The new tokens sit at positions past … past+seq−1 (RoPE rows and the causal mask are cut from that offset). Each
/// past input also has an empty initializer of the same name ([1, kv_heads, 0, head_size]): ONNX's default value of
/// an input, so a run that feeds only <c>input_ids</c> is a plain prompt run; that is how the compressor calibrates
/// and verifies the model on text windows without knowing about the cache.
/// </summary>
internal sealed partial class Llama2cOnnxWriter
{
    /// <summary>The cache inputs, each with its empty default (added before any node reads them).</summary>
    private void AddCacheInputs()
    {
        var c = _config;
        for (var layer = 0; layer < c.Layers; layer++)
        {
            foreach (var name in new[] { Llama2cKeyValueCache.PastKey(layer), Llama2cKeyValueCache.PastValue(layer) })
            {
                _g.Input(name, TensorDataType.Float, "batch", c.KvHeads, "past", c.HeadSize);
                _g.Initializer(name, [1, c.KvHeads, 0, c.HeadSize], ReadOnlySpan<float>.Empty);
            }
        }
    }

    /// <summary>The present keys and values, after the logits.</summary>
    private void AddCacheOutputs()
    {
        var c = _config;
        for (var layer = 0; layer < c.Layers; layer++)
        {
            _g.Output(Llama2cKeyValueCache.PresentKey(layer), TensorDataType.Float, "batch", c.KvHeads, "total", c.HeadSize);
            _g.Output(Llama2cKeyValueCache.PresentValue(layer), TensorDataType.Float, "batch", c.KvHeads, "total", c.HeadSize);
        }
    }

    /// <summary>
    /// past = dim 2 of past_key.0, seq = dim 1 of input_ids, total = past + seq. The new queries are positions
    /// past … total−1, the keys 0 … total−1; a key is masked when it comes after the query.
    /// </summary>
    private Positions AddCachedPositions()
    {
        var one1d = Int64s("const.one_1d", 1);
        var two1d = Int64s("const.two_1d", 2);
        var three1d = Int64s("const.three_1d", 3);
        var zero1d = Int64s("const.zero_1d", 0);
        var past = Node("Slice", "positions.past", [Node("Shape", "positions.past_shape", [Llama2cKeyValueCache.PastKey(0)]), two1d, three1d, zero1d]);
        var seq = Node("Slice", "positions.seq", [Node("Shape", "positions.ids_shape", [Llama2cImporter.InputName]), one1d, two1d, zero1d]);
        var total = Node("Add", "positions.total", [past, seq]);
        var pastScalar = Node("Squeeze", "positions.past_scalar", [past, zero1d]);
        var totalScalar = Node("Squeeze", "positions.total_scalar", [total, zero1d]);
        var oneScalar = Int64Scalar("const.one", 1);
        var zeroScalar = Int64Scalar("const.zero", 0);
        var queries = Node("Unsqueeze", "positions.query", [Node("Range", "positions.query_index", [pastScalar, totalScalar, oneScalar]), one1d]);
        var keys = Node("Unsqueeze", "positions.key", [Node("Range", "positions.key_index", [zeroScalar, totalScalar, oneScalar]), zero1d]);
        var mask = Node("Greater", "attention.causal_mask", [keys, queries]);
        var (cosTable, sinTable) = RopeTables();
        var cosRows = Node("Slice", "rope.cos.positions", [cosTable, past, total, zero1d]);
        var sinRows = Node("Slice", "rope.sin.positions", [sinTable, past, total, zero1d]);
        return new Positions(mask, cosRows, sinRows);
    }

    /// <summary>
    /// Attention over the cached and the new positions: query heads are viewed as [kv_heads, kv_mul] so each group of
    /// kv_mul consecutive query heads meets its one key/value head by broadcasting (run.c's kv head h / kv_mul),
    /// without copying the cache; the new keys and values are appended to the past ones as the present outputs.
    /// </summary>
    private string CachedAttention(int layer, string scope, string q, string k, string v, Positions positions)
    {
        var c = _config;

        // [b, seq, heads, hs] → [b, kv_heads, kv_mul, seq, hs]
        var qT = Node("Transpose", $"{scope}.q.transpose", [Rope($"{scope}.q", q, c.Heads, positions)], n => n.SetAttribute("perm", [0L, 2L, 1L, 3L]));
        var qGroups = Node("Reshape", $"{scope}.q.groups", [qT, Int64s("const.shape.q_groups", 0, c.KvHeads, c.KvMultiplier, -1, c.HeadSize)]);

        // New keys/values [b, seq, kv_heads, hs] → [b, kv_heads, seq, hs], appended to the cache on the position axis.
        var kNew = Node("Transpose", $"{scope}.k.transpose", [Rope($"{scope}.k", k, c.KvHeads, positions)], n => n.SetAttribute("perm", [0L, 2L, 1L, 3L]));
        var vHeads = Node("Reshape", $"{scope}.v.heads", [v, Int64s("const.shape.kv_heads", 0, 0, c.KvHeads, c.HeadSize)]);
        var vNew = Node("Transpose", $"{scope}.v.transpose", [vHeads], n => n.SetAttribute("perm", [0L, 2L, 1L, 3L]));
        var keys = Node("Concat", $"{scope}.present_key", [Llama2cKeyValueCache.PastKey(layer), kNew], n => n.SetAttribute("axis", 2), Llama2cKeyValueCache.PresentKey(layer));
        var values = Node("Concat", $"{scope}.present_value", [Llama2cKeyValueCache.PastValue(layer), vNew], n => n.SetAttribute("axis", 2), Llama2cKeyValueCache.PresentValue(layer));

        // [b, kv_heads, total, hs] → [b, kv_heads, 1, hs, total] (keys) and [b, kv_heads, 1, total, hs] (values).
        var two1d = Int64s("const.two_1d", 2);
        var kT = Node("Transpose", $"{scope}.k.scores_layout", [Node("Unsqueeze", $"{scope}.k.group_axis", [keys, two1d])], n => n.SetAttribute("perm", [0L, 1L, 2L, 4L, 3L]));
        var vGroups = Node("Unsqueeze", $"{scope}.v.group_axis", [values, two1d]);
        var context = AttentionProducts(scope, qGroups, kT, vGroups, positions);

        // [b, kv_heads, kv_mul, seq, hs] → [b, heads, seq, hs], then merged as in the plain graph.
        return Node("Reshape", $"{scope}.context.heads", [context, Int64s("const.shape.context_heads", 0, c.Heads, -1, c.HeadSize)]);
    }
}
