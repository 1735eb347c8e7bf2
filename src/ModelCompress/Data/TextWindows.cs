using System.Text;
using ModelCompress.Diagnostics;
using ModelCompress.Engine;
using ModelCompress.Recipe;
using ModelCompress.Text;

namespace ModelCompress.Data;

/// <summary>
/// Turns a UTF-8 text file into language-model samples: the text is tokenized (bytes: one id per UTF-8 byte; llama2.c:
/// the run.c BPE, one paragraph at a time) and cut into consecutive, non-overlapping windows of <c>seq_len</c> token ids,
/// from the start of the file. With a llama2.c tokenizer each window starts with BOS, as the model saw in training.
/// </summary>
public static class TextWindows
{
    /// <summary>Reads up to <paramref name="maxWindows"/> windows as an int64 array [windows, <paramref name="seqLen"/>].</summary>
    public static NdArray Read(string path, TokenizerKind tokenizer, string? tokenizerPath, int seqLen, long maxWindows)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(seqLen, 2);
        if (!File.Exists(path))
        {
            throw EngineDiagnostics.Fail("MC3002", path, path);
        }

        var windows = new List<long[]>();
        var current = new List<long>(seqLen);
        var llama = tokenizer == TokenizerKind.Llama2C
            ? Llama2cTokenizer.Load(tokenizerPath ?? throw new ArgumentException("a llama2.c tokenizer needs its file", nameof(tokenizerPath)))
            : null;
        void Push(long id)
        {
            if (current.Count == 0 && llama is not null)
            {
                current.Add(Llama2cTokenizer.BosId);
            }

            current.Add(id);
            if (current.Count == seqLen)
            {
                windows.Add([.. current]);
                current.Clear();
            }
        }

        using var reader = new StreamReader(path, Encoding.UTF8);
        var paragraph = new StringBuilder();
        while (windows.Count < maxWindows && reader.ReadLine() is { } line)
        {
            if (llama is null)
            {
                foreach (var b in Encoding.UTF8.GetBytes(line + "\n"))
                {
                    Push(b);
                }

                continue;
            }

            // BPE merges never cross a blank line in practice; encoding paragraph by paragraph keeps memory flat.
            paragraph.Append(line).Append('\n');
            if (line.Length == 0)
            {
                foreach (var id in llama.Encode(paragraph.ToString(), bos: false, eos: false))
                {
                    Push(id);
                }

                paragraph.Clear();
            }
        }

        if (llama is not null && paragraph.Length > 0 && windows.Count < maxWindows)
        {
            foreach (var id in llama.Encode(paragraph.ToString(), bos: false, eos: false))
            {
                Push(id);
            }
        }

        if (windows.Count == 0)
        {
            throw EngineDiagnostics.Fail("MC3017", path, path, seqLen);
        }

        var count = (int)Math.Min(windows.Count, maxWindows);
        var data = new long[count * (long)seqLen];
        for (var i = 0; i < count; i++)
        {
            windows[i].CopyTo(data, i * (long)seqLen);
        }

        return NdArray.FromInt64(data, count, seqLen);
    }
}
