using ModelCompress.Data;
using ModelCompress.Recipe;

namespace ModelCompress.Fuzz.Targets;

/// <summary>
/// The text reader with a llama2.c tokenizer: the fuzzed bytes are the tokenizer file (the real stories260K one as the
/// seed), the text is a fixed paragraph, so vocabulary sizes, score and length fields all get hostile values.
/// </summary>
public sealed class TokenizerTarget : IFuzzTarget
{
    private const string Text = "Once upon a time, there was a little girl named Lily.\n\nShe liked to play outside.\n";

    /// <inheritdoc />
    public string Name => "text";

    /// <inheritdoc />
    public IEnumerable<byte[]> Seeds()
    {
        yield return File.ReadAllBytes(FuzzSeeds.Fixture("models/stories260K/tok512.bin"));
    }

    /// <inheritdoc />
    public void Execute(byte[] input, string scratch)
    {
        var tokenizer = Path.Combine(scratch, "tok.bin");
        var text = Path.Combine(scratch, "text.txt");
        File.WriteAllBytes(tokenizer, input);
        File.WriteAllText(text, Text);
        _ = TextWindows.Read(text, TokenizerKind.Llama2C, tokenizer, 8, 16);
    }
}
