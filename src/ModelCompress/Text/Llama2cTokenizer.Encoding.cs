using System.Globalization;
using System.Text;
using ModelCompress.Diagnostics;
using ModelCompress.Importers;

namespace ModelCompress.Text;

/// <summary>Encoding: run.c's BPE with SentencePiece's dummy prefix and byte fallback.</summary>
public sealed partial class Llama2cTokenizer
{
    /// <summary>run.c starts the best merge score at −1e10: a merge must score above it.</summary>
    private const float NoMergeScore = -1e10f;

    /// <summary>
    /// Encodes <paramref name="text"/> exactly as run.c's <c>encode</c>: BOS first when <paramref name="bos"/>; for
    /// non-empty text the dummy-prefix piece " " (SentencePiece's add_dummy_prefix); then each UTF-8 code point's piece,
    /// or its bytes as byte-fallback ids (byte + 3) when the code point is not in the vocabulary; then, repeatedly, the
    /// adjacent pair whose concatenation is a piece with the highest score (the leftmost on ties) is merged until no
    /// pair is a piece; EOS last when <paramref name="eos"/>. As in C, the text ends at its first NUL character.
    /// MC3512 when the vocabulary lacks " " or a needed byte piece.
    /// </summary>
    public int[] Encode(string text, bool bos, bool eos)
    {
        ArgumentNullException.ThrowIfNull(text);
        var utf8 = Encoding.UTF8.GetBytes(text);
        var end = Array.IndexOf(utf8, (byte)0);
        var bytes = end >= 0 ? utf8.AsSpan(0, end) : utf8.AsSpan();

        var tokens = new List<int>(bytes.Length + 3);
        if (bos)
        {
            tokens.Add(BosId);
        }

        if (!bytes.IsEmpty)
        {
            var space = Lookup(" "u8);
            if (space < 0)
            {
                throw EngineDiagnostics.Fail("MC3512", SourcePath, "the vocabulary has no ' ' piece for the dummy prefix");
            }

            tokens.Add(space);
        }

        AddCodePoints(bytes, tokens);
        var merged = MergePairs(tokens);
        if (eos)
        {
            merged.Add(EosId);
        }

        return [.. merged];
    }

    /// <summary>
    /// Splits UTF-8 bytes into code points the way run.c does (a code point is a non-continuation byte followed by at
    /// most three continuation bytes; stray continuation bytes stand alone) and adds each one's id.
    /// </summary>
    private void AddCodePoints(ReadOnlySpan<byte> bytes, List<int> tokens)
    {
        var start = 0;
        while (start < bytes.Length)
        {
            var length = 1;
            while (start + length < bytes.Length && (bytes[start + length] & 0xC0) == 0x80 && length < 4)
            {
                length++;
            }

            var codePoint = bytes.Slice(start, length);
            var id = Lookup(codePoint);
            if (id >= 0)
            {
                tokens.Add(id);
            }
            else
            {
                foreach (var b in codePoint)
                {
                    var byteId = b + ByteFallbackOffset;
                    if (byteId >= VocabSize)
                    {
                        throw EngineDiagnostics.Fail("MC3512", SourcePath, string.Create(CultureInfo.InvariantCulture, $"the byte 0x{b:X2} has no byte-fallback piece (id {byteId} is beyond the vocabulary of {VocabSize})"));
                    }

                    tokens.Add(byteId);
                }
            }

            start += length;
        }
    }

    /// <summary>
    /// run.c's greedy merge loop (merge the best-scoring adjacent pair, leftmost on ties, until none is in the
    /// vocabulary) in O(n log n): candidates sit in a priority queue ordered by (score descending, left position
    /// ascending) over a linked list of tokens; a candidate is dropped when popped if either side has changed since it
    /// was queued. The original position orders pairs exactly as run.c's left-to-right scan does, since merging keeps
    /// the order of the survivors.
    /// </summary>
    private List<int> MergePairs(List<int> initial)
    {
        var n = initial.Count;
        var ids = initial.ToArray();
        var next = new int[n];
        var previous = new int[n];
        var version = new int[n];
        var alive = new bool[n];
        for (var i = 0; i < n; i++)
        {
            next[i] = i + 1 < n ? i + 1 : -1;
            previous[i] = i - 1;
            alive[i] = true;
        }

        var queue = new PriorityQueue<Candidate, (float Score, int Left)>(Comparer<(float Score, int Left)>.Create(
            (a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Left.CompareTo(b.Left)));
        void Offer(int left)
        {
            var right = left < 0 ? -1 : next[left];
            if (right < 0)
            {
                return;
            }

            if (_ids.TryGetValue(string.Concat(_keys[ids[left]], _keys[ids[right]]), out var id) && _scores[id] > NoMergeScore)
            {
                queue.Enqueue(new Candidate(left, right, version[left], version[right], id), (_scores[id], left));
            }
        }

        for (var i = 0; i < n - 1; i++)
        {
            Offer(i);
        }

        while (queue.TryDequeue(out var c, out _))
        {
            if (!alive[c.Left] || !alive[c.Right] || next[c.Left] != c.Right || version[c.Left] != c.LeftVersion || version[c.Right] != c.RightVersion)
            {
                continue;
            }

            ids[c.Left] = c.Merged;
            version[c.Left]++;
            alive[c.Right] = false;
            next[c.Left] = next[c.Right];
            if (next[c.Right] >= 0)
            {
                previous[next[c.Right]] = c.Left;
            }

            Offer(previous[c.Left]);
            Offer(c.Left);
        }

        var result = new List<int>(n + 1);
        for (var i = n > 0 ? 0 : -1; i >= 0; i = next[i])
        {
            result.Add(ids[i]);
        }

        return result;
    }

    private readonly record struct Candidate(int Left, int Right, int LeftVersion, int RightVersion, int Merged);
}
