using System.Globalization;
using System.Text;
using Microsoft.ML.OnnxRuntime;
using ModelCompress.Diagnostics;
using ModelCompress.Importers;
using ModelCompress.Onnx;

namespace ModelCompress.Text;

/// <summary>
/// Greedy (temperature 0) text generation with ONNX Runtime over a decoder LM with an int64 input <c>input_ids</c>
/// [batch, seq] and a float output <c>logits</c> [batch, seq, vocab] (the interface <see cref="Llama2cImporter"/>
/// produces). There is no KV cache: each step runs the whole sequence so far, which is simple and exact and fast
/// enough for small models. <see cref="Logits"/> gives every position's logits for evaluation (perplexity, top-1).
/// The generator owns an ONNX Runtime session: dispose it.
/// </summary>
public sealed partial class GreedyGenerator : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();

    /// <summary>
    /// Creates a session over <paramref name="model"/>. The context length is <paramref name="contextLength"/>, else
    /// the model's <c>context_length</c> metadata, else a fixed seq axis of <c>input_ids</c> (MC3521 when none is
    /// known, or when the model's interface or vocabulary does not fit <paramref name="tokenizer"/>; MC3522 when ONNX
    /// Runtime cannot load it). Without <paramref name="sessionOptions"/>, ONNX Runtime runs on one thread with all
    /// graph optimizations.
    /// </summary>
    public GreedyGenerator(OnnxModel model, Llama2cTokenizer tokenizer, int? contextLength = null, SessionOptions? sessionOptions = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        Tokenizer = tokenizer;
        ContextLength = ResolveContextLength(model, contextLength);
        CheckInterface(model, tokenizer);
        _session = CreateSession(model, sessionOptions);
    }

    /// <summary>
    /// Loads the ONNX model at <paramref name="modelPath"/> (MC1xxx when it cannot be read) and the llama2.c tokenizer
    /// at <paramref name="tokenizerPath"/> (MC3501/MC3510), and creates a generator over them.
    /// </summary>
    public static GreedyGenerator Open(string modelPath, string tokenizerPath, int? contextLength = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        ArgumentException.ThrowIfNullOrEmpty(tokenizerPath);
        var tokenizer = Llama2cTokenizer.Load(tokenizerPath);
        return new GreedyGenerator(OnnxModel.Load(modelPath), tokenizer, contextLength);
    }

    /// <summary>The tokenizer that encodes prompts and decodes tokens.</summary>
    public Llama2cTokenizer Tokenizer { get; }

    /// <summary>The longest token sequence the model takes.</summary>
    public int ContextLength { get; }

    /// <summary>
    /// Generates as llama2.c's <c>run.c</c> does with temperature 0: the prompt is encoded with BOS; positions
    /// 0..<paramref name="steps"/>−1 are run, where <paramref name="steps"/> counts the prompt's tokens too (0, or more
    /// than the context, means the whole context); while inside the prompt the next token is the prompt's, afterwards
    /// it is the argmax of the logits (the first index on ties); a generated BOS ends the loop. The text is what run.c
    /// prints before its final newline.
    /// </summary>
    public GenerationResult Generate(string prompt, int steps, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        if (steps == 0 || steps > ContextLength)
        {
            steps = ContextLength;
        }

        var promptTokens = Tokenizer.Encode(prompt, bos: true, eos: false);
        var tokens = new List<int>(steps) { promptTokens[0] };
        var printed = new List<byte>();
        var stoppedAtBos = false;
        for (var pos = 0; pos < steps; pos++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var next = pos < promptTokens.Length - 1 ? promptTokens[pos + 1] : ArgMax(LastLogits(tokens));
            if (next == Llama2cTokenizer.BosId)
            {
                stoppedAtBos = true;
                break;
            }

            var piece = Tokenizer.DecodeBytes(tokens[^1], next);
            if (Llama2cTokenizer.IsPrintable(piece))
            {
                printed.AddRange(piece);
            }

            tokens.Add(next);
        }

        return new GenerationResult(promptTokens, tokens, Encoding.UTF8.GetString([.. printed]), steps, stoppedAtBos);
    }

    /// <summary>
    /// The logits of every position of one token sequence, row-major [tokens.Length, vocab]: row t predicts the token
    /// after tokens[t]. MC3520 when the sequence is longer than <see cref="ContextLength"/>.
    /// </summary>
    public float[] Logits(ReadOnlySpan<int> tokens)
    {
        if (tokens.IsEmpty)
        {
            throw new ArgumentException("At least one token is needed.", nameof(tokens));
        }

        if (tokens.Length > ContextLength)
        {
            throw EngineDiagnostics.Fail("MC3520", null, tokens.Length, ContextLength);
        }

        foreach (var t in tokens)
        {
            if ((uint)t >= (uint)Tokenizer.VocabSize)
            {
                throw new ArgumentOutOfRangeException(nameof(tokens), t, string.Create(CultureInfo.InvariantCulture, $"Token ids are 0..{Tokenizer.VocabSize - 1}."));
            }
        }

        return Run(tokens);
    }

    /// <summary>The index of the largest value, the first one on ties (run.c's <c>sample_argmax</c>).</summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _runOptions.Dispose();
        _session.Dispose();
    }

    private ReadOnlySpan<float> LastLogits(List<int> tokens)
    {
        var all = Logits(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(tokens));
        var vocab = Tokenizer.VocabSize;
        return all.AsSpan(all.Length - vocab, vocab);
    }
}
