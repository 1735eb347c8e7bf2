namespace ModelCompress.Importers;

/// <summary>
/// The weights of a llama2.c checkpoint, as stored: every matrix is row-major [out, in] (run.c computes
/// <c>W (d,n) @ x (n,)</c>), and weights of one kind are stacked over layers. Read with <see cref="Load"/>, which
/// validates the header and the file size before allocating anything.
/// </summary>
public sealed partial class Llama2cCheckpoint
{
    private Llama2cCheckpoint(Llama2cConfig config, string? sourcePath)
    {
        Config = config;
        SourcePath = sourcePath;
    }

    /// <summary>The header.</summary>
    public Llama2cConfig Config { get; }

    /// <summary>The file the checkpoint was read from, if any.</summary>
    public string? SourcePath { get; }

    /// <summary>token_embedding_table [vocab, dim].</summary>
    public ReadOnlyMemory<float> TokenEmbeddings { get; private set; }

    /// <summary>rms_att_weight [layers, dim]: the RMSNorm gamma before attention.</summary>
    public ReadOnlyMemory<float> AttentionNorm { get; private set; }

    /// <summary>wq [layers, dim (out), dim (in)].</summary>
    public ReadOnlyMemory<float> Wq { get; private set; }

    /// <summary>wk [layers, kv_dim (out), dim (in)].</summary>
    public ReadOnlyMemory<float> Wk { get; private set; }

    /// <summary>wv [layers, kv_dim (out), dim (in)].</summary>
    public ReadOnlyMemory<float> Wv { get; private set; }

    /// <summary>wo [layers, dim (out), dim (in)].</summary>
    public ReadOnlyMemory<float> Wo { get; private set; }

    /// <summary>rms_ffn_weight [layers, dim]: the RMSNorm gamma before the feed-forward block.</summary>
    public ReadOnlyMemory<float> FfnNorm { get; private set; }

    /// <summary>w1 [layers, hidden_dim (out), dim (in)]: the gate projection (goes through SiLU).</summary>
    public ReadOnlyMemory<float> W1 { get; private set; }

    /// <summary>w2 [layers, dim (out), hidden_dim (in)]: the down projection.</summary>
    public ReadOnlyMemory<float> W2 { get; private set; }

    /// <summary>w3 [layers, hidden_dim (out), dim (in)]: the up projection.</summary>
    public ReadOnlyMemory<float> W3 { get; private set; }

    /// <summary>rms_final_weight [dim].</summary>
    public ReadOnlyMemory<float> FinalNorm { get; private set; }

    /// <summary>wcls [vocab, dim]; the same memory as <see cref="TokenEmbeddings"/> when the classifier is shared.</summary>
    public ReadOnlyMemory<float> Classifier { get; private set; }

    /// <summary>One layer's slice of a stacked weight (<paramref name="stacked"/> holds <c>Layers</c> equal parts).</summary>
    public ReadOnlyMemory<float> Layer(ReadOnlyMemory<float> stacked, int layer)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(layer, Config.Layers);
        var size = stacked.Length / Config.Layers;
        return stacked.Slice(layer * size, size);
    }
}
