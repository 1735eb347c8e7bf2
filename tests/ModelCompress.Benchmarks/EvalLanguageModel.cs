using Microsoft.ML.OnnxRuntime;

namespace ModelCompress.Benchmarks;

/// <summary>
/// Perplexity and next-token top-1 of a decoder LM (input <c>input_ids</c> int64 [batch, seq], first output logits
/// [batch, seq, vocab]) on windows of a token stream, computed exactly as tools/ort_peer.py's <c>lm_eval</c>: window w
/// feeds tokens [s_w, s_w + L) and is scored on tokens [s_w + 1, s_w + L + 1); the logits are widened to double and
/// each position's negative log-likelihood is logsumexp(logits) − logits[target] with the max subtracted first;
/// perplexity = exp(Σ NLL / predictions); top-1 counts argmax == target (the first index on ties, like NumPy's
/// argmax); agreement counts argmax == the fp32 model's argmax at the same position.
/// </summary>
internal sealed class EvalLanguageModel
{
    private readonly int[] _tokens;
    private readonly int[] _starts;

    /// <summary>Creates the evaluation over <paramref name="starts"/> (window starts into <paramref name="tokens"/>).</summary>
    public EvalLanguageModel(int[] tokens, IReadOnlyList<int> starts, int seqLen, int batch)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(starts);
        if (starts.Any(s => s < 0 || s + seqLen + 1 > tokens.Length))
        {
            throw new ArgumentOutOfRangeException(nameof(starts), "every window needs seq_len + 1 tokens");
        }

        _tokens = tokens;
        _starts = [.. starts];
        SeqLen = seqLen;
        Batch = batch;
    }

    /// <summary>Tokens per window.</summary>
    public int SeqLen { get; }

    /// <summary>Windows per ONNX Runtime run (the peer uses 64 for char-gpt).</summary>
    public int Batch { get; }

    /// <summary>Number of windows.</summary>
    public int Windows => _starts.Length;

    /// <summary>Number of scored positions.</summary>
    public long Predictions => (long)_starts.Length * SeqLen;

    /// <summary>Non-overlapping windows from the start: window i starts at i·L, as many as leave a target for every input.</summary>
    public static int[] ConsecutiveStarts(int tokenCount, int seqLen, int? limit = null)
    {
        var n = (tokenCount - 1) / seqLen;
        return [.. Enumerable.Range(0, Math.Min(n, limit ?? n)).Select(i => i * seqLen)];
    }

    /// <summary>The first window's inputs, shaped [1, L] (the latency input).</summary>
    public OrtValue FirstWindow() =>
        OrtValue.CreateTensorValueFromMemory(_tokens.AsSpan(_starts[0], SeqLen).ToArray().Select(t => (long)t).ToArray(), [1, SeqLen]);

    /// <summary>Scores one model; <paramref name="referenceArgmax"/> (the fp32 run's) adds the agreement.</summary>
    public EvalLmResult Evaluate(InferenceSession session, int[]? referenceArgmax)
    {
        ArgumentNullException.ThrowIfNull(session);
        var inputName = session.InputNames[0];
        var argmax = new int[Predictions];
        double nll = 0;
        long correct = 0, agree = 0;
        using var run = new RunOptions();
        for (var first = 0; first < _starts.Length; first += Batch)
        {
            var b = Math.Min(Batch, _starts.Length - first);
            var ids = new long[b * SeqLen];
            for (var w = 0; w < b; w++)
            {
                var s = _starts[first + w];
                for (var t = 0; t < SeqLen; t++)
                {
                    ids[(w * SeqLen) + t] = _tokens[s + t];
                }
            }

            using var input = OrtValue.CreateTensorValueFromMemory(ids, [b, SeqLen]);
            using var outputs = session.Run(run, [inputName], [input], [session.OutputNames[0]]);
            var logits = outputs[0].GetTensorDataAsSpan<float>();
            var vocab = logits.Length / (b * SeqLen);
            for (var w = 0; w < b; w++)
            {
                var s = _starts[first + w];
                for (var t = 0; t < SeqLen; t++)
                {
                    var position = ((long)(first + w) * SeqLen) + t;
                    var row = logits.Slice(((w * SeqLen) + t) * vocab, vocab);
                    var target = _tokens[s + t + 1];
                    var (best, nllHere) = Score(row, target);
                    nll += nllHere;
                    argmax[position] = best;
                    correct += best == target ? 1 : 0;
                    if (referenceArgmax is not null && referenceArgmax[position] == best)
                    {
                        agree++;
                    }
                }
            }
        }

        var total = (double)Predictions;
        return new EvalLmResult(Math.Exp(nll / total), correct / total, referenceArgmax is null ? null : agree / total, argmax);
    }

    /// <summary>Argmax (first on ties) and −log softmax(row)[target], in double.</summary>
    private static (int Best, double Nll) Score(ReadOnlySpan<float> row, int target)
    {
        var best = 0;
        double max = row[0];
        for (var v = 1; v < row.Length; v++)
        {
            if (row[v] > max)
            {
                max = row[v];
                best = v;
            }
        }

        double sum = 0;
        for (var v = 0; v < row.Length; v++)
        {
            sum += Math.Exp(row[v] - max);
        }

        return (best, Math.Log(sum) + max - row[target]);
    }
}
