namespace ModelCompress.Importers;

/// <summary>
/// The interface of a llama2.c decoder imported with a key/value cache (<see cref="Llama2cImporter.ToOnnx(Llama2cCheckpoint, bool)"/>):
/// input, output and cache tensor names, and the metadata keys that describe the cache's layout.
/// </summary>
public static class Llama2cKeyValueCache
{
    /// <summary>Metadata: the number of layers (cache pairs).</summary>
    public const string LayersKey = "num_layers";

    /// <summary>Metadata: the key/value heads per layer.</summary>
    public const string KvHeadsKey = "kv_heads";

    /// <summary>Metadata: the size of one head.</summary>
    public const string HeadSizeKey = "head_size";

    /// <summary>The cached keys of a layer fed back in, float [batch, kv_heads, past, head_size].</summary>
    public static string PastKey(int layer) => $"past_key.{layer}";

    /// <summary>The cached values of a layer fed back in, float [batch, kv_heads, past, head_size].</summary>
    public static string PastValue(int layer) => $"past_value.{layer}";

    /// <summary>A layer's keys after this step (past and new), float [batch, kv_heads, past + seq, head_size].</summary>
    public static string PresentKey(int layer) => $"present_key.{layer}";

    /// <summary>A layer's values after this step (past and new), float [batch, kv_heads, past + seq, head_size].</summary>
    public static string PresentValue(int layer) => $"present_value.{layer}";
}
