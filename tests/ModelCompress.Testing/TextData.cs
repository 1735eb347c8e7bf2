using System.Text;

namespace ModelCompress.Testing;

/// <summary>Real text from the fixtures, as the byte-level language model's token ids.</summary>
public static class TextData
{
    /// <summary>The WikiText-2 test split's UTF-8 bytes, <paramref name="count"/> of them starting at <paramref name="offset"/>.</summary>
    public static byte[] WikiTextTestBytes(int offset, int count)
    {
        var all = File.ReadAllBytes(Fixtures.Require("data/wikitext-2/test.txt"));
        if (offset < 0 || count < 0 || offset + count > all.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"WikiText-2 test has {all.Length} bytes.");
        }

        return all.AsSpan(offset, count).ToArray();
    }

    /// <summary>Token ids (one per UTF-8 byte) for a window of WikiText-2 test text.</summary>
    public static long[] WikiTextTokenIds(int offset, int count) => [.. WikiTextTestBytes(offset, count).Select(b => (long)b)];

    /// <summary>Decodes byte-level token ids back to text (for messages).</summary>
    public static string Decode(IEnumerable<long> ids) => Encoding.UTF8.GetString([.. ids.Select(i => (byte)i)]);
}
