using ModelCompress.Importers;
using ModelCompress.Onnx;
using ModelCompress.Testing;
using ModelCompress.Text;

namespace ModelCompress.Tests.Importers;

/// <summary>
/// The stories260K fixture (llama2.c checkpoint, tokenizer, golden greedy text), imported once per test class that
/// uses it. A missing fixture fails loudly through <see cref="Fixtures.Require"/>.
/// </summary>
public sealed class StoriesFixture
{
    public const string Folder = "models/stories260K";

    private readonly Lazy<OnnxModel> _model;
    private readonly Lazy<Llama2cTokenizer> _tokenizer;

    public StoriesFixture()
    {
        _model = new(() => Llama2cImporter.Import(CheckpointPath, TokenizerPath));
        _tokenizer = new(() => Llama2cTokenizer.Load(TokenizerPath));
    }

    public static string CheckpointPath => Fixtures.Require($"{Folder}/stories260K.bin");

    public static string TokenizerPath => Fixtures.Require($"{Folder}/tok512.bin");

    public static string GoldenPath => Fixtures.Require($"{Folder}/greedy-once-upon-a-time.txt");

    /// <summary>The imported model (shared: clone it before editing).</summary>
    public OnnxModel Model => _model.Value;

    public Llama2cTokenizer Tokenizer => _tokenizer.Value;
}
