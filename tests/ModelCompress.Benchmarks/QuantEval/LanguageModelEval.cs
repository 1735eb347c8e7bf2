using Microsoft.ML.OnnxRuntime;

namespace ModelCompress.Benchmarks.QuantEval;

/// <summary>
/// Perplexity per token and next-token top-1 agreement of a byte-level LM on non-overlapping windows of a text:
/// window i feeds bytes [L·i, L·i + L) and predicts bytes [L·i + 1, L·i + L + 1).
/// </summary>
internal sealed class LanguageModelEval
{
    private readonly byte[] _text;
    private readonly int _seqLen;
    private readonly int[] _windows;

    public LanguageModelEval(byte[] text, int seqLen, int windows)
    {
        _text = text;
        _seqLen = seqLen;
        var total = (text.Length - 1) / seqLen;
        var n = Math.Min(windows, total);
        // Evenly spread over the text when a subset is asked for.
        _windows = [.. Enumerable.Range(0, n).Select(j => (int)((long)j * total / n))];
    }

    public int Windows => _windows.Length;

    /// <summary>Runs one model; returns per-position argmax and the mean NLL (nats).</summary>
    public (int[] Argmax, double MeanNll, double Top1) Run(InferenceSession session, string inputName, int batch = 8)
    {
        var argmax = new int[_windows.Length * _seqLen];
        double nll = 0;
        long correct = 0;
        using var runOptions = new RunOptions();
        for (var start = 0; start < _windows.Length; start += batch)
        {
            var b = Math.Min(batch, _windows.Length - start);
            var ids = new long[b * _seqLen];
            for (var w = 0; w < b; w++)
            {
                var offset = _windows[start + w] * _seqLen;
                for (var t = 0; t < _seqLen; t++)
                {
                    ids[(w * _seqLen) + t] = _text[offset + t];
                }
            }

            using var input = OrtValue.CreateTensorValueFromMemory(ids, [b, _seqLen]);
            using var outputs = session.Run(runOptions, [inputName], [input], [session.OutputNames[0]]);
            var logits = outputs[0].GetTensorDataAsSpan<float>();
            var vocab = logits.Length / (b * _seqLen);
            for (var w = 0; w < b; w++)
            {
                var offset = _windows[start + w] * _seqLen;
                for (var t = 0; t < _seqLen; t++)
                {
                    var row = logits.Slice(((w * _seqLen) + t) * vocab, vocab);
                    var target = _text[offset + t + 1];
                    var best = 0;
                    var max = row[0];
                    for (var v = 1; v < vocab; v++)
                    {
                        if (row[v] > max)
                        {
                            max = row[v];
                            best = v;
                        }
                    }

                    double sum = 0;
                    for (var v = 0; v < vocab; v++)
                    {
                        sum += Math.Exp(row[v] - max);
                    }

                    nll += Math.Log(sum) + max - row[target];
                    argmax[((start + w) * _seqLen) + t] = best;
                    correct += best == target ? 1 : 0;
                }
            }
        }

        var count = (double)argmax.Length;
        return (argmax, nll / count, correct / count);
    }
}
