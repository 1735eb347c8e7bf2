using System.Diagnostics;

namespace StoryTeller;

/// <summary>What one turn generated, and how fast.</summary>
/// <param name="Tokens">The new tokens (without the prompt).</param>
/// <param name="TimeToFirstToken">From the start of the turn (prompt included) to the first new token.</param>
/// <param name="Elapsed">The whole turn.</param>
/// <param name="StoryEnded">True when the model ended the story (it emitted BOS or EOS).</param>
public sealed record TurnResult(IReadOnlyList<int> Tokens, TimeSpan TimeToFirstToken, TimeSpan Elapsed, bool StoryEnded)
{
    /// <summary>New tokens per second after the first (the steady decode rate); 0 with fewer than two tokens.</summary>
    public double TokensPerSecond =>
        Tokens.Count < 2 ? 0 : (Tokens.Count - 1) / (Elapsed - TimeToFirstToken).TotalSeconds;
}

/// <summary>
/// One turn of the story: the prompt's tokens go through the model in one run (they fill the cache), then new tokens
/// are sampled one at a time and handed to <c>onToken</c> as they come, until <c>maxNewTokens</c>, the end of the
/// story, the end of the context, or cancellation (Ctrl+C), which stops after the current token. The last new token
/// is not run yet (nothing needs its logits): a following turn starts its prompt with it.
/// </summary>
public static class StoryWriter
{
    /// <summary>Runs one turn. <paramref name="prompt"/> must not be empty.</summary>
    public static TurnResult Turn(
        StoryModel model, TokenSampler sampler, IReadOnlyList<int> prompt, int maxNewTokens, Action<int, int>? onToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sampler);
        ArgumentNullException.ThrowIfNull(prompt);
        var clock = Stopwatch.StartNew();
        var tokens = new List<int>();
        var firstToken = TimeSpan.Zero;
        var logits = model.Forward(prompt);
        var previous = prompt[^1];
        var ended = false;
        while (tokens.Count < maxNewTokens && !cancellationToken.IsCancellationRequested)
        {
            var next = sampler.Next(logits);
            if (tokens.Count == 0)
            {
                firstToken = clock.Elapsed;
            }

            if (next is Llama2Tokenizer.Bos or Llama2Tokenizer.Eos)
            {
                ended = true;
                break;
            }

            tokens.Add(next);
            onToken?.Invoke(previous, next);
            previous = next;
            if (model.Position >= model.ContextLength || tokens.Count == maxNewTokens)
            {
                break;
            }

            logits = model.Forward([next]);
        }

        return new TurnResult(tokens, firstToken, clock.Elapsed, ended);
    }
}
