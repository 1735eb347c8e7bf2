using System.Globalization;
using System.Text;

namespace ModelCompress.Text;

/// <summary>Decoding: run.c's <c>decode</c> and <c>safe_printf</c>.</summary>
public sealed partial class Llama2cTokenizer
{
    /// <summary>Byte b's one-byte piece (byte 0 is the empty C string, as in run.c's byte_pieces table).</summary>
    private static readonly byte[][] BytePieces = Enumerable.Range(0, 256).Select(b => b == 0 ? Array.Empty<byte>() : [(byte)b]).ToArray();

    /// <summary>
    /// The bytes run.c's <c>decode</c> gives for <paramref name="token"/> following <paramref name="prevToken"/>: the
    /// piece, without its leading space right after BOS (SentencePiece strips the dummy prefix), and a byte-fallback
    /// piece <c>&lt;0xXX&gt;</c> as the raw byte XX.
    /// </summary>
    public ReadOnlySpan<byte> DecodeBytes(int prevToken, int token)
    {
        ReadOnlySpan<byte> piece = Piece(token);
        if (prevToken == BosId && !piece.IsEmpty && piece[0] == (byte)' ')
        {
            piece = piece[1..];
        }

        return TryParseBytePiece(piece, out var value) ? BytePieces[value] : piece;
    }

    /// <summary>
    /// <see cref="DecodeBytes"/> as text. A byte piece that is part of a multi-byte UTF-8 character decodes to U+FFFD
    /// on its own; to keep such characters whole, join the bytes of consecutive tokens first, or use
    /// <see cref="DecodeAll"/>.
    /// </summary>
    public string Decode(int prevToken, int token) => Encoding.UTF8.GetString(DecodeBytes(prevToken, token));

    /// <summary>
    /// Decodes a token sequence the way run.c prints it: each token after its predecessor (so the leading space of the
    /// first piece after a BOS is stripped); BOS itself prints nothing. The bytes are joined before UTF-8 decoding.
    /// </summary>
    public string DecodeAll(ReadOnlySpan<int> tokens)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < tokens.Length; i++)
        {
            if (tokens[i] == BosId)
            {
                continue;
            }

            bytes.AddRange(DecodeBytes(i > 0 ? tokens[i - 1] : -1, tokens[i]));
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }

    /// <summary>
    /// Whether run.c's <c>safe_printf</c> prints <paramref name="piece"/>: not when it is empty, nor when it is a single
    /// byte that is neither printable ASCII nor whitespace (control codes and lone bytes ≥ 0x80 are skipped, as C's
    /// isprint/isspace in the "C" locale decide).
    /// </summary>
    public static bool IsPrintable(ReadOnlySpan<byte> piece)
    {
        if (piece.IsEmpty)
        {
            return false;
        }

        if (piece.Length > 1)
        {
            return true;
        }

        var b = piece[0];
        var isPrint = b is >= 0x20 and <= 0x7E;
        var isSpace = b is (byte)' ' or (>= 0x09 and <= 0x0D);
        return isPrint || isSpace;
    }

    /// <summary>
    /// Whether <paramref name="piece"/> reads as run.c's <c>sscanf(piece, "&lt;0x%02hhX&gt;", ...) == 1</c>: "&lt;0x"
    /// then one or two hex digits (the conversion succeeds whether or not the closing '&gt;' follows).
    /// </summary>
    private static bool TryParseBytePiece(ReadOnlySpan<byte> piece, out int value)
    {
        value = 0;
        if (!piece.StartsWith("<0x"u8) || piece.Length < 4 || !IsHex(piece[3]))
        {
            return false;
        }

        var digits = piece.Length > 4 && IsHex(piece[4]) ? 2 : 1;
        value = int.Parse(Encoding.ASCII.GetString(piece.Slice(3, digits)), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return true;
    }

    private static bool IsHex(byte b) => b is (>= (byte)'0' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f') or (>= (byte)'A' and <= (byte)'F');
}
