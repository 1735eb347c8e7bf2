using System.Diagnostics;
using System.Text;
using ModelCompress.Importers;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Text;
using Xunit.Abstractions;

namespace ModelCompress.Tests.Importers;

public sealed class GreedyGeneratorTests(StoriesFixture stories, ITestOutputHelper output) : IClassFixture<StoriesFixture>, IDisposable
{
    private readonly Llama2cFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Greedy_generation_matches_llama2c_run_c_exactly()
    {
        // run.c prints the decoded pieces, then one newline after its loop; the golden file is that output.
        var golden = File.ReadAllText(StoriesFixture.GoldenPath, Encoding.UTF8);
        using var generator = new GreedyGenerator(stories.Model, stories.Tokenizer);
        var watch = Stopwatch.StartNew();
        var result = generator.Generate("Once upon a time", steps: 200);
        output.WriteLine($"200 steps in {watch.ElapsedMilliseconds} ms");

        Assert.Equal(golden, result.Text + "\n");
        Assert.Equal(201, result.Tokens.Count); // BOS, then one token per step (the prompt's included)
        Assert.Equal(200, result.Steps);
        Assert.Equal([1, 403, 407, 261, 378], result.PromptTokens);
        Assert.False(result.StoppedAtBos);
    }

    [Fact]
    public void Steps_count_the_prompt_and_are_clamped_to_the_context()
    {
        using var generator = new GreedyGenerator(stories.Model, stories.Tokenizer);
        Assert.Equal(512, generator.ContextLength);

        // Fewer steps than prompt tokens: run.c only replays the prompt.
        var short2 = generator.Generate("Once upon a time", steps: 2);
        Assert.Equal([1, 403, 407], short2.Tokens);
        Assert.Equal("Once upon", short2.Text);

        var six = generator.Generate("Once upon a time", steps: 6);
        Assert.Equal(7, six.Tokens.Count);
        var golden = File.ReadAllText(StoriesFixture.GoldenPath, Encoding.UTF8);
        Assert.StartsWith(six.Text, golden, StringComparison.Ordinal);
        Assert.True(six.Text.Length > "Once upon a time".Length);
    }

    [Fact]
    public void Logits_rows_predict_the_next_token_and_reject_sequences_beyond_the_context()
    {
        using var generator = new GreedyGenerator(stories.Model, stories.Tokenizer);
        var logits = generator.Logits([1, 403, 407, 261, 378]);
        Assert.Equal(5 * 512, logits.Length);
        var full = generator.Generate("Once upon a time", steps: 6);
        Assert.Equal(full.Tokens[5], GreedyGenerator.ArgMax(logits.AsSpan(4 * 512, 512)));

        var e = Assert.Throws<ModelCompressException>(() => generator.Logits(new int[513]));
        Assert.Equal("MC3520", e.Code);
    }

    [Fact]
    public void Generator_opened_from_an_imported_file_generates_the_same_text()
    {
        var modelPath = _files.PathOf("stories.onnx");
        Llama2cImporter.ImportToFile(StoriesFixture.CheckpointPath, modelPath, StoriesFixture.TokenizerPath);
        using var fromFile = GreedyGenerator.Open(modelPath, StoriesFixture.TokenizerPath);
        using var inMemory = new GreedyGenerator(stories.Model, stories.Tokenizer);
        var a = fromFile.Generate("Lily and Ben", steps: 40);
        var b = inMemory.Generate("Lily and Ben", steps: 40);
        Assert.Equal(b.Tokens, a.Tokens);
        Assert.Equal(b.Text, a.Text);
        Assert.StartsWith("Lily and Ben", a.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void ArgMax_takes_the_first_of_equal_maxima()
    {
        Assert.Equal(1, GreedyGenerator.ArgMax([0f, 3f, 3f, -1f]));
        Assert.Equal(0, GreedyGenerator.ArgMax([float.NaN, 1f])); // as run.c: NaN at 0 is never beaten by '>'
    }

    [Fact]
    public void Model_without_the_decoder_interface_is_MC3521()
    {
        var mlp = SampleModels.Mlp();
        var e = Assert.Throws<ModelCompressException>(() => new GreedyGenerator(mlp, stories.Tokenizer, contextLength: 16));
        Assert.Equal("MC3521", e.Code);

        var noContext = Assert.Throws<ModelCompressException>(() => new GreedyGenerator(mlp, stories.Tokenizer));
        Assert.Equal("MC3521", noContext.Code);

        var small = Llama2cTokenizer.Load(_files.Tokenizer("t.bin", 8, (0, "<unk>"), (0, "<s>"), (0, "</s>"), (0, " ")));
        var vocab = Assert.Throws<ModelCompressException>(() => new GreedyGenerator(stories.Model, small));
        Assert.Equal("MC3521", vocab.Code);
        Assert.Contains("512", vocab.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Model_that_onnx_runtime_cannot_load_is_MC3522()
    {
        var b = new OnnxModelBuilder("broken").Opset(17);
        b.Graph.Input(Llama2cImporter.InputName, TensorDataType.Int64, "batch", "seq");
        b.Graph.Node("NoSuchOperator", [Llama2cImporter.InputName], [Llama2cImporter.OutputName], "bad");
        b.Graph.Output(Llama2cImporter.OutputName, TensorDataType.Float, "batch", "seq", 512);
        var e = Assert.Throws<ModelCompressException>(() => new GreedyGenerator(b.Build(), stories.Tokenizer, contextLength: 8));
        Assert.Equal("MC3522", e.Code);
    }
}
