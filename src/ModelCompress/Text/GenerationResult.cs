namespace ModelCompress.Text;

/// <summary>What <see cref="GreedyGenerator.Generate"/> produced.</summary>
/// <param name="PromptTokens">The encoded prompt, BOS first.</param>
/// <param name="Tokens">Every token of the sequence: BOS, the rest of the prompt, then the generated tokens.</param>
/// <param name="Text">
/// The text run.c prints for these tokens, without the newline it prints after the loop: each token decoded after its
/// predecessor, byte pieces that are neither printable nor whitespace skipped.
/// </param>
/// <param name="Steps">The number of positions run (run.c's <c>steps</c> after clamping to the context).</param>
/// <param name="StoppedAtBos">Whether generation ended early because the model produced BOS.</param>
public sealed record GenerationResult(
    IReadOnlyList<int> PromptTokens,
    IReadOnlyList<int> Tokens,
    string Text,
    int Steps,
    bool StoppedAtBos)
{
    /// <summary>The tokens the model chose (after the prompt).</summary>
    public IEnumerable<int> GeneratedTokens => Tokens.Skip(PromptTokens.Count);
}
