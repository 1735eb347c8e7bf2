using System.Buffers.Binary;
using System.Text;

namespace ModelCompress.Tests.Importers;

/// <summary>Writes small llama2.c checkpoints and tokenizers (valid or deliberately broken) into a temp folder.</summary>
public sealed class Llama2cFiles : IDisposable
{
    public Llama2cFiles() => Directory.CreateDirectory(Folder);

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "mc-llama2c-" + Guid.NewGuid().ToString("N"));

    /// <summary>The path of <paramref name="name"/> in the temp folder.</summary>
    public string PathOf(string name) => Path.Combine(Folder, name);

    /// <summary>Writes a header of seven int32 and then <paramref name="floats"/>.</summary>
    public string Checkpoint(string name, int[] header, ReadOnlySpan<float> floats)
    {
        var bytes = new byte[(header.Length * 4) + (floats.Length * 4)];
        for (var i = 0; i < header.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), header[i]);
        }

        for (var i = 0; i < floats.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan((header.Length * 4) + (i * 4)), floats[i]);
        }

        var path = PathOf(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>
    /// A complete random checkpoint for (dim, hidden, layers, heads, kvHeads, vocab, seqLen); a negative vocab stores
    /// an unshared classifier. Values are uniform in ±0.5 from a fixed seed.
    /// </summary>
    public string RandomCheckpoint(string name, int dim, int hidden, int layers, int heads, int kvHeads, int vocab, int seqLen, int seed = 7)
    {
        var v = Math.Abs(vocab);
        var kvDim = dim / heads * kvHeads;
        long count = (v * dim) + (layers * dim) + (2 * layers * dim * dim) + (2 * layers * dim * kvDim) + (layers * dim)
            + (3 * layers * dim * hidden) + dim + (seqLen * (dim / heads)) + (vocab < 0 ? v * dim : 0);
        var rng = new Random(seed);
        var floats = new float[count];
        for (var i = 0; i < floats.Length; i++)
        {
            floats[i] = (float)(rng.NextDouble() - 0.5);
        }

        return Checkpoint(name, [dim, hidden, layers, heads, kvHeads, vocab, seqLen], floats);
    }

    /// <summary>Writes a tokenizer: max_token_length, then (score, length, bytes) per piece.</summary>
    public string Tokenizer(string name, int maxTokenLength, params (float Score, string Piece)[] entries)
    {
        using var stream = new MemoryStream();
        Span<byte> four = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(four, maxTokenLength);
        stream.Write(four);
        foreach (var (score, piece) in entries)
        {
            var bytes = Encoding.UTF8.GetBytes(piece);
            BinaryPrimitives.WriteSingleLittleEndian(four, score);
            stream.Write(four);
            BinaryPrimitives.WriteInt32LittleEndian(four, bytes.Length);
            stream.Write(four);
            stream.Write(bytes);
        }

        var path = PathOf(name);
        File.WriteAllBytes(path, stream.ToArray());
        return path;
    }

    /// <summary>Writes raw bytes.</summary>
    public string Raw(string name, byte[] bytes)
    {
        var path = PathOf(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
