using System.Buffers.Binary;
using System.Text;

namespace StoryTeller.Generator;

/// <summary>
/// Writes a llama2.c checkpoint and tokenizer of a given shape with seeded random weights (a stand-in for a trained
/// stories15M when only its speed matters: the work per token depends on the shape, not on the values). Weights are
/// normal with σ 0.02 (the llama2.c training script's initialization), RMSNorm gammas are 1; the tokenizer has
/// run.c's special and byte-fallback tokens, every printable ASCII character, and filler pieces up to the vocabulary
/// size, so any text can be encoded.
/// </summary>
public static class SyntheticLlama2c
{
    /// <summary>The shape of Karpathy's stories15M: dim 288, FFN 768, 6 layers, 6 heads, vocab 32000, context 256.</summary>
    public static readonly (int Dim, int Hidden, int Layers, int Heads, int KvHeads, int Vocab, int SeqLen) Stories15M = (288, 768, 6, 6, 6, 32000, 256);

    /// <summary>Writes the checkpoint (shared classifier) to <paramref name="path"/>.</summary>
    public static void WriteCheckpoint(string path, (int Dim, int Hidden, int Layers, int Heads, int KvHeads, int Vocab, int SeqLen) shape, int seed)
    {
        var (dim, hidden, layers, heads, kvHeads, vocab, seqLen) = shape;
        var kvDim = dim / heads * kvHeads;
        var random = new Random(seed);
        using var stream = new FileStream(path + ".tmp", FileMode.Create, FileAccess.Write);
        using (var writer = new BinaryWriter(stream))
        {
            foreach (var value in new[] { dim, hidden, layers, heads, kvHeads, vocab, seqLen })
            {
                writer.Write(value);
            }

            // The file order of run.c's memory_map_weights.
            Normal(writer, random, (long)vocab * dim);          // token embeddings (also the classifier)
            Ones(writer, (long)layers * dim);                    // rms_att
            Normal(writer, random, (long)layers * dim * dim);    // wq
            Normal(writer, random, (long)layers * dim * kvDim);  // wk
            Normal(writer, random, (long)layers * dim * kvDim);  // wv
            Normal(writer, random, (long)layers * dim * dim);    // wo
            Ones(writer, (long)layers * dim);                    // rms_ffn
            Normal(writer, random, (long)layers * dim * hidden); // w1
            Normal(writer, random, (long)layers * hidden * dim); // w2
            Normal(writer, random, (long)layers * dim * hidden); // w3
            Ones(writer, dim);                                   // rms_final
            Zeros(writer, (long)seqLen * (dim / heads));         // freq_cis_real and _imag (unused by run.c)
        }

        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>Writes a tokenizer of <paramref name="vocab"/> pieces to <paramref name="path"/>.</summary>
    public static void WriteTokenizer(string path, int vocab)
    {
        var pieces = new List<(string Piece, float Score)> { ("<unk>", 0f), ("\n<s>\n", 0f), ("\n</s>\n", 0f) };
        for (var b = 0; b < 256; b++)
        {
            pieces.Add(($"<0x{b:X2}>", 0f));
        }

        for (var ch = ' '; ch <= '~'; ch++)
        {
            pieces.Add((ch.ToString(), -1000f));
        }

        for (var i = pieces.Count; i < vocab; i++)
        {
            pieces.Add(($"<filler{i}>", -100000f));
        }

        using var stream = new MemoryStream();
        Span<byte> four = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(four, pieces.Max(p => Encoding.UTF8.GetByteCount(p.Piece)));
        stream.Write(four);
        foreach (var (piece, score) in pieces.Take(vocab))
        {
            var bytes = Encoding.UTF8.GetBytes(piece);
            BinaryPrimitives.WriteSingleLittleEndian(four, score);
            stream.Write(four);
            BinaryPrimitives.WriteInt32LittleEndian(four, bytes.Length);
            stream.Write(four);
            stream.Write(bytes);
        }

        File.WriteAllBytes(path + ".tmp", stream.ToArray());
        File.Move(path + ".tmp", path, overwrite: true);
    }

    // Box-Muller normals, σ 0.02.
    private static void Normal(BinaryWriter writer, Random random, long count)
    {
        for (long i = 0; i < count; i++)
        {
            var u = 1.0 - random.NextDouble();
            writer.Write((float)(0.02 * Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * random.NextDouble())));
        }
    }

    private static void Ones(BinaryWriter writer, long count)
    {
        for (long i = 0; i < count; i++)
        {
            writer.Write(1f);
        }
    }

    private static void Zeros(BinaryWriter writer, long count)
    {
        for (long i = 0; i < count; i++)
        {
            writer.Write(0f);
        }
    }
}
