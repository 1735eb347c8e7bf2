using System.Text;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Text;

namespace ModelCompress.Tests.Importers;

public sealed class Llama2cTokenizerTests(StoriesFixture stories) : IClassFixture<StoriesFixture>, IDisposable
{
    private readonly Llama2cFiles _files = new();

    private Llama2cTokenizer Tok => stories.Tokenizer;

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Loads_tok512_with_special_byte_and_merged_pieces()
    {
        Assert.Equal(512, Tok.VocabSize);
        Assert.Equal(7, Tok.MaxTokenLength);
        Assert.Equal("<unk>"u8.ToArray(), Tok.Piece(0).ToArray());
        Assert.Equal("\n<s>\n"u8.ToArray(), Tok.Piece(Llama2cTokenizer.BosId).ToArray());
        Assert.Equal("\n</s>\n"u8.ToArray(), Tok.Piece(Llama2cTokenizer.EosId).ToArray());
        Assert.Equal("<0x00>"u8.ToArray(), Tok.Piece(3).ToArray());
        Assert.Equal("<0xFF>"u8.ToArray(), Tok.Piece(258).ToArray());
        Assert.Equal(410, Tok.Lookup(" "u8));
        Assert.True(Tok.Score(Tok.Lookup(" the"u8)) > Tok.Score(Tok.Lookup(" Once"u8)));
    }

    // Expected ids computed independently (a plain re-implementation of run.c's encode over tok512.bin).
    [Theory]
    [InlineData("Once upon a time", new[] { 1, 403, 407, 261, 378 })]
    [InlineData("Hello world", new[] { 1, 346, 306, 414, 263, 304, 341 })]
    [InlineData("Lily's café ☕!", new[] { 1, 317, 439, 419, 280, 412, 431, 485, 410, 229, 155, 152, 443 })]
    public void Encodes_as_run_c_does(string text, int[] expected)
    {
        Assert.Equal(expected, Tok.Encode(text, bos: true, eos: false));
    }

    [Fact]
    public void Bos_eos_and_empty_text_follow_run_c()
    {
        Assert.Equal([1], Tok.Encode(string.Empty, bos: true, eos: false));
        Assert.Equal([1, 2], Tok.Encode(string.Empty, bos: true, eos: true));
        Assert.Empty(Tok.Encode(string.Empty, bos: false, eos: false));
        Assert.Equal([403, 407, 2], Tok.Encode("Once upon", bos: false, eos: true));

        // The text ends at a NUL, as a C string does.
        Assert.Equal(Tok.Encode("Once", true, false), Tok.Encode("Once\0 upon", true, false));
    }

    [Fact]
    public void Byte_fallback_uses_ids_offset_by_three()
    {
        // U+2615 is not a piece: its three UTF-8 bytes E2 98 95 become ids 0xE2+3, 0x98+3, 0x95+3.
        var ids = Tok.Encode("☕", bos: false, eos: false);
        Assert.Equal([410, 0xE2 + 3, 0x98 + 3, 0x95 + 3], ids);
    }

    [Theory]
    [InlineData("Once upon a time, there was a little girl named Lily.")]
    [InlineData("She said, \"I'm sorry!\"\nThe end.")]
    [InlineData("Tabs\tand  double  spaces")]
    [InlineData("café ☕ naïve 日本語 🙂")]
    public void Encode_then_decode_round_trips(string text)
    {
        var ids = Tok.Encode(text, bos: true, eos: false);
        Assert.Equal(text, Tok.DecodeAll(ids));
    }

    [Fact]
    public void Decode_strips_the_leading_space_after_bos_and_maps_byte_pieces()
    {
        var once = Tok.Lookup(" Once"u8);
        Assert.Equal("Once", Tok.Decode(Llama2cTokenizer.BosId, once));
        Assert.Equal(" Once", Tok.Decode(once, once));
        Assert.Equal("\n", Tok.Decode(once, 0x0A + 3));
        Assert.Equal([0xE2], Tok.DecodeBytes(once, 0xE2 + 3).ToArray());
        Assert.Empty(Tok.DecodeBytes(once, 3).ToArray()); // <0x00> is the empty C string
    }

    [Theory]
    [InlineData(new byte[] { (byte)'a' }, true)]
    [InlineData(new byte[] { (byte)'\n' }, true)]
    [InlineData(new byte[] { (byte)'\t' }, true)]
    [InlineData(new byte[] { 0x07 }, false)]
    [InlineData(new byte[] { 0x7F }, false)]
    [InlineData(new byte[] { 0xE2 }, false)]
    [InlineData(new byte[] { 0xC3, 0xA9 }, true)]
    [InlineData(new byte[0], false)]
    public void IsPrintable_matches_run_c_safe_printf(byte[] piece, bool expected)
    {
        Assert.Equal(expected, Llama2cTokenizer.IsPrintable(piece));
    }

    [Fact]
    public void Fast_merge_equals_run_c_quadratic_merge_on_random_text()
    {
        var rng = new Random(12345);
        const string alphabet = "abcdefghijklmnopqrstuvwxyz       ,.!?'\"\nLOTSé☕日";
        for (var trial = 0; trial < 200; trial++)
        {
            var chars = new char[rng.Next(0, 60)];
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = alphabet[rng.Next(alphabet.Length)];
            }

            var text = new string(chars);
            Assert.Equal(NaiveEncode(text), Tok.Encode(text, bos: true, eos: false));
        }
    }

    [Fact]
    public void Missing_tokenizer_is_MC3501()
    {
        var e = Assert.Throws<ModelCompressException>(() => Llama2cTokenizer.Load(_files.PathOf("none.bin")));
        Assert.Equal("MC3501", e.Code);
    }

    [Theory]
    [InlineData(new byte[] { 1, 0 }, "4-byte header")]
    [InlineData(new byte[] { 0, 0, 0, 0 }, "max_token_length")]
    [InlineData(new byte[] { 4, 0, 0, 0 }, "no tokens")]
    [InlineData(new byte[] { 4, 0, 0, 0, 0, 0, 0, 0, 1 }, "truncated")]
    [InlineData(new byte[] { 4, 0, 0, 0, 0, 0, 0, 0, 255, 255, 255, 255 }, "length -1")]
    [InlineData(new byte[] { 4, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 65, 65, 65, 65, 65 }, "length 5")]
    [InlineData(new byte[] { 4, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 65 }, "needs 3 bytes")]
    [InlineData(new byte[] { 4, 0, 0, 0, 0, 0, 192, 127, 1, 0, 0, 0, 65 }, "NaN")]
    public void Malformed_tokenizer_is_MC3510(byte[] bytes, string why)
    {
        var e = Assert.Throws<ModelCompressException>(() => Llama2cTokenizer.Load(_files.Raw("bad.bin", bytes)));
        Assert.Equal("MC3510", e.Code);
        Assert.Contains(why, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Vocabulary_without_dummy_prefix_or_byte_pieces_is_MC3512()
    {
        var noSpace = Llama2cTokenizer.Load(_files.Tokenizer("nospace.bin", 8, (0, "<unk>"), (0, "<s>"), (0, "</s>"), (0, "a")));
        var e = Assert.Throws<ModelCompressException>(() => noSpace.Encode("a", bos: true, eos: false));
        Assert.Equal("MC3512", e.Code);
        Assert.Equal([1], noSpace.Encode(string.Empty, bos: true, eos: false)); // empty text needs no dummy prefix

        var noBytes = Llama2cTokenizer.Load(_files.Tokenizer("nobytes.bin", 8, (0, "<unk>"), (0, "<s>"), (0, "</s>"), (0, " "), (0, "a")));
        Assert.Equal([3, 4], noBytes.Encode("a", bos: false, eos: false));
        var e2 = Assert.Throws<ModelCompressException>(() => noBytes.Encode("é", bos: false, eos: false));
        Assert.Equal("MC3512", e2.Code);
    }

    /// <summary>run.c's merge loop as written there: rescan every pair, merge the best (leftmost on ties), repeat.</summary>
    private int[] NaiveEncode(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var tokens = new List<int> { 1 };
        if (bytes.Length > 0)
        {
            tokens.Add(Tok.Lookup(" "u8));
        }

        for (var i = 0; i < bytes.Length;)
        {
            var j = i + 1;
            while (j < bytes.Length && (bytes[j] & 0xC0) == 0x80 && j - i < 4)
            {
                j++;
            }

            var id = Tok.Lookup(bytes.AsSpan(i, j - i));
            if (id >= 0)
            {
                tokens.Add(id);
            }
            else
            {
                tokens.AddRange(bytes.AsSpan(i, j - i).ToArray().Select(b => b + 3));
            }

            i = j;
        }

        while (true)
        {
            float best = -1e10f;
            int bestIdx = -1, bestId = -1;
            for (var i = 0; i < tokens.Count - 1; i++)
            {
                var id = Tok.Lookup([.. Tok.Piece(tokens[i]), .. Tok.Piece(tokens[i + 1])]);
                if (id != -1 && Tok.Score(id) > best)
                {
                    (best, bestIdx, bestId) = (Tok.Score(id), i, id);
                }
            }

            if (bestIdx < 0)
            {
                return [.. tokens];
            }

            tokens[bestIdx] = bestId;
            tokens.RemoveAt(bestIdx + 1);
        }
    }
}
