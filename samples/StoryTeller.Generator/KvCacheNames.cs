namespace StoryTeller.Generator;

/// <summary>The interface of the key/value-cache model: input, output and cache tensor names, metadata keys.</summary>
public static class KvCacheNames
{
    /// <summary>The new tokens, int64 [batch, seq].</summary>
    public const string InputIds = "input_ids";

    /// <summary>The next-token logits of every new position, float [batch, seq, vocab]; the model's first output.</summary>
    public const string Logits = "logits";

    /// <summary>Metadata: the context length (positions the RoPE table covers).</summary>
    public const string ContextLength = "context_length";

    /// <summary>Metadata: the number of layers (cache pairs).</summary>
    public const string Layers = "num_layers";

    /// <summary>The cached keys of a layer fed back in, float [batch, kv_heads, past, head_size].</summary>
    public static string PastKey(int layer) => $"past_key.{layer}";

    /// <summary>The cached values of a layer fed back in, float [batch, kv_heads, past, head_size].</summary>
    public static string PastValue(int layer) => $"past_value.{layer}";

    /// <summary>A layer's keys after this step (past and new), float [batch, kv_heads, past + seq, head_size].</summary>
    public static string PresentKey(int layer) => $"present_key.{layer}";

    /// <summary>A layer's values after this step (past and new), float [batch, kv_heads, past + seq, head_size].</summary>
    public static string PresentValue(int layer) => $"present_value.{layer}";
}
