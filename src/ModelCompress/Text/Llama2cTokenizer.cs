using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using ModelCompress.Diagnostics;
using ModelCompress.Importers;

namespace ModelCompress.Text;

/// <summary>
/// A llama2.c tokenizer (<c>tokenizer.bin</c> / <c>tok512.bin</c>): a SentencePiece BPE vocabulary exported as
/// int32 max_token_length, then per token float32 score, int32 byte length, bytes. Ids 0, 1, 2 are &lt;unk&gt;, BOS and
/// EOS; ids 3..258 are the byte-fallback pieces &lt;0x00&gt;..&lt;0xFF&gt;. <see cref="Encode"/> and
/// <see cref="Decode(int, int)"/> reproduce llama2.c run.c's <c>encode</c> and <c>decode</c> token for token.
/// Pieces are handled as bytes (as run.c's C strings, cut at a NUL byte), never as .NET strings, so byte-fallback
/// pieces that split a UTF-8 character are exact.
/// </summary>
public sealed partial class Llama2cTokenizer
{
    /// <summary>The unknown-piece id.</summary>
    public const int UnkId = 0;

    /// <summary>The beginning-of-sequence id, which run.c prepends and which ends generation when sampled.</summary>
    public const int BosId = 1;

    /// <summary>The end-of-sequence id.</summary>
    public const int EosId = 2;

    /// <summary>The id of the byte-fallback piece &lt;0x00&gt; (byte b is id b + 3).</summary>
    public const int ByteFallbackOffset = 3;

    /// <summary>Latin-1 maps each byte to one char and back, so byte pieces can key a dictionary exactly.</summary>
    private static readonly Encoding Bytes = Encoding.Latin1;

    private readonly byte[][] _pieces;
    private readonly string[] _keys;
    private readonly float[] _scores;
    private readonly Dictionary<string, int> _ids;

    private Llama2cTokenizer(byte[][] pieces, float[] scores, int maxTokenLength, string? sourcePath)
    {
        _pieces = pieces;
        _scores = scores;
        MaxTokenLength = maxTokenLength;
        SourcePath = sourcePath;
        _keys = new string[pieces.Length];
        _ids = new Dictionary<string, int>(pieces.Length, StringComparer.Ordinal);
        for (var id = 0; id < pieces.Length; id++)
        {
            _keys[id] = Bytes.GetString(pieces[id]);

            // run.c binary-searches a sorted copy; with duplicate pieces which id it finds is unspecified. The lowest
            // id is taken here (llama2.c's exported vocabularies have no duplicates).
            _ids.TryAdd(_keys[id], id);
        }
    }

    /// <summary>The number of tokens.</summary>
    public int VocabSize => _pieces.Length;

    /// <summary>The longest piece in bytes, as declared by the file.</summary>
    public int MaxTokenLength { get; }

    /// <summary>The file the vocabulary was read from, if any.</summary>
    public string? SourcePath { get; }

    /// <summary>
    /// Reads a llama2.c tokenizer file, every entry up to its end. Errors: MC3501 (unreadable), MC3510 (truncated, a
    /// negative or over-long piece, a NaN score, no tokens).
    /// </summary>
    public static Llama2cTokenizer Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        byte[] data;
        try
        {
            data = File.ReadAllBytes(full);
        }
        catch (Exception e) when (EngineDiagnostics.IsFileError(e))
        {
            throw EngineDiagnostics.Unreadable(full, e);
        }

        return Parse(data, full);
    }

    /// <summary>Parses tokenizer bytes (see <see cref="Load"/>); <paramref name="sourceName"/> names them in errors.</summary>
    public static Llama2cTokenizer Parse(ReadOnlySpan<byte> data, string? sourceName = null)
    {
        if (data.Length < sizeof(int))
        {
            throw Malformed(sourceName, $"it is {data.Length} bytes long, shorter than the 4-byte header");
        }

        var maxTokenLength = BinaryPrimitives.ReadInt32LittleEndian(data);
        if (maxTokenLength <= 0)
        {
            throw Malformed(sourceName, $"the declared max_token_length {maxTokenLength} is not positive");
        }

        var pieces = new List<byte[]>();
        var scores = new List<float>();
        var offset = sizeof(int);
        while (offset < data.Length)
        {
            var id = pieces.Count;
            if (data.Length - offset < 2 * sizeof(int))
            {
                throw Malformed(sourceName, $"token {id} is truncated at byte {offset}");
            }

            var score = BinaryPrimitives.ReadSingleLittleEndian(data[offset..]);
            var length = BinaryPrimitives.ReadInt32LittleEndian(data[(offset + 4)..]);
            offset += 2 * sizeof(int);
            if (float.IsNaN(score))
            {
                throw Malformed(sourceName, $"token {id} has a NaN score");
            }

            if (length < 0 || length > maxTokenLength)
            {
                throw Malformed(sourceName, $"token {id} has length {length}, outside 0..max_token_length ({maxTokenLength})");
            }

            if (data.Length - offset < length)
            {
                throw Malformed(sourceName, $"token {id} needs {length} bytes but only {data.Length - offset} remain");
            }

            // run.c stores each piece as a C string: everything after a NUL byte is invisible to it.
            var piece = data.Slice(offset, length);
            var nul = piece.IndexOf((byte)0);
            pieces.Add((nul >= 0 ? piece[..nul] : piece).ToArray());
            scores.Add(score);
            offset += length;
        }

        if (pieces.Count == 0)
        {
            throw Malformed(sourceName, "it holds no tokens");
        }

        return new Llama2cTokenizer([.. pieces], [.. scores], maxTokenLength, sourceName);
    }

    /// <summary>The bytes of token <paramref name="id"/>'s piece, e.g. " the" or "&lt;0x0A&gt;".</summary>
    public ReadOnlySpan<byte> Piece(int id) => _pieces[CheckId(id)];

    /// <summary>The merge score of token <paramref name="id"/> (higher merges first).</summary>
    public float Score(int id) => _scores[CheckId(id)];

    /// <summary>The id whose piece is exactly <paramref name="piece"/>, or -1.</summary>
    public int Lookup(ReadOnlySpan<byte> piece) => _ids.TryGetValue(Bytes.GetString(piece), out var id) ? id : -1;

    private int CheckId(int id)
    {
        if ((uint)id >= (uint)_pieces.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(id), id, string.Create(CultureInfo.InvariantCulture, $"Token ids are 0..{_pieces.Length - 1}."));
        }

        return id;
    }

    private static Onnx.Diagnostics.ModelCompressException Malformed(string? source, string why) =>
        EngineDiagnostics.Fail("MC3510", source, source ?? "(bytes)", why);
}
