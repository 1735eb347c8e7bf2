using System.Globalization;

namespace ModelCompress.Importers;

/// <summary>
/// The hyper-parameters in a llama2.c checkpoint header (seven little-endian int32 values, in this order:
/// dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len). A negative vocab_size in the file means the
/// classifier has its own weights (<see cref="SharedClassifier"/> false); <see cref="VocabSize"/> is always positive.
/// </summary>
/// <param name="Dim">The model width (embedding size).</param>
/// <param name="HiddenDim">The SwiGLU feed-forward width.</param>
/// <param name="Layers">The number of transformer blocks.</param>
/// <param name="Heads">The number of query heads.</param>
/// <param name="KvHeads">The number of key/value heads (grouped-query attention when fewer than <paramref name="Heads"/>).</param>
/// <param name="VocabSize">The vocabulary size.</param>
/// <param name="SeqLen">The maximum sequence length (the context the model was trained for).</param>
/// <param name="SharedClassifier">Whether the output classifier reuses the token embedding table.</param>
public sealed record Llama2cConfig(
    int Dim,
    int HiddenDim,
    int Layers,
    int Heads,
    int KvHeads,
    int VocabSize,
    int SeqLen,
    bool SharedClassifier)
{
    /// <summary>The size of the header in bytes (7 × int32).</summary>
    public const int HeaderBytes = 7 * sizeof(int);

    /// <summary>The width of one attention head.</summary>
    public int HeadSize => Dim / Heads;

    /// <summary>The width of the key and value projections (<see cref="KvHeads"/> × <see cref="HeadSize"/>).</summary>
    public int KvDim => KvHeads * HeadSize;

    /// <summary>How many query heads share one key/value head.</summary>
    public int KvMultiplier => Heads / KvHeads;

    /// <summary>
    /// The number of fp32 values after the header, in run.c's order: embeddings, attention RMSNorm gammas, wq, wk, wv,
    /// wo, FFN RMSNorm gammas, w1, w2, w3, final RMSNorm gamma, the (unused) RoPE tables freq_cis_real and
    /// freq_cis_imag, and the classifier when it is not shared. Only meaningful for a validated config.
    /// </summary>
    public long WeightFloatCount
    {
        get
        {
            long d = Dim, h = HiddenDim, l = Layers, v = VocabSize, kv = KvDim;
            var count = (v * d) + (l * d) + (l * d * d) + (2 * l * d * kv) + (l * d * d) + (l * d)
                + (3 * l * d * h) + d + (2L * SeqLen * (HeadSize / 2));
            return SharedClassifier ? count : count + (v * d);
        }
    }

    /// <summary>The exact size of a checkpoint file with this header.</summary>
    public long ExpectedFileBytes => HeaderBytes + (WeightFloatCount * sizeof(float));

    /// <summary>The number of parameters the model uses (the RoPE tables stored in the file are not parameters).</summary>
    public long ParameterCount => WeightFloatCount - (2L * SeqLen * (HeadSize / 2));

    /// <summary>A one-line summary, e.g. <c>dim 64, hidden_dim 172, ...</c>.</summary>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"dim {Dim}, hidden_dim {HiddenDim}, n_layers {Layers}, n_heads {Heads}, n_kv_heads {KvHeads}, " +
        $"vocab_size {VocabSize}{(SharedClassifier ? string.Empty : " (unshared classifier)")}, seq_len {SeqLen}");

    /// <summary>
    /// Why these values cannot describe a model run.c could run, or null when they can. Also rejects tensors whose
    /// element count would not fit in one .NET array, so a hostile header never leads to a huge allocation.
    /// </summary>
    public string? FindProblem()
    {
        if (Dim <= 0 || HiddenDim <= 0 || Layers <= 0 || Heads <= 0 || KvHeads <= 0 || VocabSize <= 0 || SeqLen <= 0)
        {
            return "every size must be positive (" + this + ")";
        }

        if (Dim % Heads != 0)
        {
            return $"dim {Dim} is not a multiple of n_heads {Heads}";
        }

        if (HeadSize % 2 != 0)
        {
            return $"the head size {HeadSize} is odd, but rotary embeddings rotate pairs of values";
        }

        if (KvHeads > Heads || Heads % KvHeads != 0)
        {
            return $"n_heads {Heads} is not a multiple of n_kv_heads {KvHeads}";
        }

        // Every weight of one kind lives in one array ([layers, out, in] at most); each must be addressable.
        // Int128: three int32 factors can overflow a long.
        Int128 d = Dim, h = HiddenDim, l = Layers, v = VocabSize;
        var largest = Int128.Max(Int128.Max(v * d, l * d * d), l * d * h);
        if (largest > Array.MaxLength || (long)SeqLen * HeadSize > Array.MaxLength)
        {
            return $"a weight would hold {largest} values, more than one array can address";
        }

        return null;
    }
}
