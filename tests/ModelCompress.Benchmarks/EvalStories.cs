namespace ModelCompress.Benchmarks;

/// <summary>
/// stories260K (llama2.c checkpoint) — needs the llama2.c importer and tokenizer (src/ModelCompress/Importers, Text),
/// which are not on this branch yet; until they are, the table says so instead of showing numbers.
/// </summary>
internal sealed class EvalStories : IEvalFixture
{
    public string Name => "stories260K";

    public void Run(EvalContext context)
    {
        context.Out.WriteLine("### stories260K");
        context.Out.WriteLine();
        context.Out.WriteLine("- not evaluated: the llama2.c importer (Llama2cImporter, Llama2cTokenizer) is not merged into this build yet.");
        context.Out.WriteLine();
    }
}
