namespace ModelCompress.Recipe;

/// <summary>A data file with how to read it; shared by calibration and verification.</summary>
/// <param name="Path">Full path of the data file.</param>
/// <param name="Format">The file's format (given, or inferred from its name).</param>
/// <param name="Tokenizer">How text becomes token ids; <see cref="TokenizerKind.None"/> unless the format is text.</param>
/// <param name="TokenizerPath">Full path of the llama2.c tokenizer file when <paramref name="Tokenizer"/> is Llama2C.</param>
/// <param name="SeqLen">Tokens per window for text data; null for other formats.</param>
/// <param name="Input">The model input the data feeds; null means the model's only (first) input.</param>
/// <param name="Location">The value of <c>data:</c>.</param>
public sealed record DataSource(
    string Path,
    DataFormat Format,
    TokenizerKind Tokenizer,
    string? TokenizerPath,
    int? SeqLen,
    string? Input,
    SourceLocation Location)
{
    /// <summary>The default window length for text data.</summary>
    public const int DefaultSeqLen = 128;
}
