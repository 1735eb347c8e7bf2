using System.Text;

namespace StoryTeller;

/// <summary>
/// The llama2.c tokenizer (tokenizer.bin: max_token_length, then score, length and UTF-8 bytes per piece), encoding
/// and decoding as run.c does: a prompt becomes BOS, a dummy-prefix " " piece and one piece per UTF-8 character
/// (unknown characters fall back to byte pieces &lt;0xNN&gt;, ids 3 + byte), then the adjacent pair whose merged piece
/// has the best score is merged until no pair merges.
/// </summary>
public sealed class Llama2Tokenizer
{
    /// <summary>Beginning of a story; the model also emits it when a story ends.</summary>
    public const int Bos = 1;

    /// <summary>End of sequence.</summary>
    public const int Eos = 2;

    private readonly byte[][] _pieces;
    private readonly float[] _scores;
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);

    private Llama2Tokenizer(byte[][] pieces, float[] scores)
    {
        _pieces = pieces;
        _scores = scores;
        for (var i = pieces.Length - 1; i >= 0; i--)
        {
            // The first id wins on duplicates, as run.c's sorted lookup finds.
            _ids[Encoding.UTF8.GetString(pieces[i])] = i;
        }
    }

    /// <summary>The number of pieces.</summary>
    public int VocabSize => _pieces.Length;

    /// <summary>Reads a tokenizer.bin stream to its end.</summary>
    public static Llama2Tokenizer Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        copy.Position = 0;
        using var reader = new BinaryReader(copy);
        reader.ReadInt32(); // max_token_length: only run.c's buffer size
        var pieces = new List<byte[]>();
        var scores = new List<float>();
        while (copy.Position < copy.Length)
        {
            scores.Add(reader.ReadSingle());
            var length = reader.ReadInt32();
            pieces.Add(reader.ReadBytes(length));
        }

        return new Llama2Tokenizer([.. pieces], [.. scores]);
    }

    /// <summary>The ids of <paramref name="text"/>, with BOS first when <paramref name="bos"/>.</summary>
    public List<int> Encode(string text, bool bos)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<int>();
        if (bos)
        {
            tokens.Add(Bos);
        }

        if (text.Length == 0)
        {
            return tokens;
        }

        var start = tokens.Count;
        tokens.Add(_ids[" "]);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in text.EnumerateRunes())
        {
            if (_ids.TryGetValue(rune.ToString(), out var id))
            {
                tokens.Add(id);
                continue;
            }

            var count = rune.EncodeToUtf8(utf8);
            foreach (var b in utf8[..count])
            {
                tokens.Add(b + 3);
            }
        }

        MergePairs(tokens, start);
        return tokens;
    }

    /// <summary>
    /// The bytes <paramref name="token"/> prints after <paramref name="previous"/>: run.c drops the leading space of
    /// the first piece after BOS and turns &lt;0xNN&gt; pieces into their byte; lone control bytes print nothing. Unlike
    /// run.c, bytes of multi-byte characters are kept (the caller decodes UTF-8 across pieces).
    /// </summary>
    public ReadOnlySpan<byte> Decode(int previous, int token)
    {
        ReadOnlySpan<byte> piece = _pieces[token];
        if (previous == Bos && piece.Length > 0 && piece[0] == (byte)' ')
        {
            piece = piece[1..];
        }

        if (piece.Length == 6 && piece[0] == (byte)'<' && piece[1] == (byte)'0' && piece[2] == (byte)'x' && piece[5] == (byte)'>')
        {
            var value = Convert.FromHexString(Encoding.ASCII.GetString(_pieces[token], 3, 2))[0];
            return new[] { value };
        }

        return piece.Length == 1 && piece[0] < 0x20 && piece[0] is not (byte)'\n' and not (byte)'\t' and not (byte)'\r' ? [] : piece;
    }

    private void MergePairs(List<int> tokens, int start)
    {
        while (true)
        {
            var bestScore = float.NegativeInfinity;
            var bestId = -1;
            var bestIndex = -1;
            for (var i = start; i < tokens.Count - 1; i++)
            {
                var merged = Encoding.UTF8.GetString([.. _pieces[tokens[i]], .. _pieces[tokens[i + 1]]]);
                if (_ids.TryGetValue(merged, out var id) && _scores[id] > bestScore)
                {
                    bestScore = _scores[id];
                    bestId = id;
                    bestIndex = i;
                }
            }

            if (bestIndex < 0)
            {
                return;
            }

            tokens[bestIndex] = bestId;
            tokens.RemoveAt(bestIndex + 1);
        }
    }
}
