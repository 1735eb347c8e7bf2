using System.Text;
using ModelCompress.Build.TestInfrastructure;
using ModelCompress.Importers;
using ModelCompress.Testing;
using StoryTeller;
using StoryTeller.Generator;

namespace ModelCompress.EndToEnd.Tests;

/// <summary>
/// StoryTeller's fp32 model with a key/value cache (StoryTeller.Generator) and its runtime classes, without a build:
/// the cache must give what the reference C implementation gives, and at the stories15M shape too.
/// </summary>
public sealed class StoryTellerModelTests
{
    [Fact]
    public void Greedy_generation_through_the_cache_matches_the_reference_C_implementation_on_stories260K()
    {
        using var temp = new TempDir();
        var path = temp.Combine("story.onnx");
        KvCacheModelWriter.Write(Llama2cCheckpoint.Load(Fixtures.Require("models/stories260K/stories260K.bin"))).Save(path);
        var tokenizer = Llama2Tokenizer.Load(File.OpenRead(Fixtures.Require("models/stories260K/tok512.bin")));
        using var model = new StoryModel(File.ReadAllBytes(path), threads: 1);

        // run.c -t 0 -n 200 -i "Once upon a time": 200 positions in all, the prompt's included; it prints the prompt's
        // pieces, then each new one.
        var prompt = tokenizer.Encode("Once upon a time", bos: true);
        var text = new List<byte>();
        for (var i = 1; i < prompt.Count; i++)
        {
            text.AddRange(tokenizer.Decode(prompt[i - 1], prompt[i]).ToArray());
        }

        var turn = StoryWriter.Turn(model, new TokenSampler(0f, 1f, 0), prompt, 200 - prompt.Count + 1, (previous, token) => text.AddRange(tokenizer.Decode(previous, token).ToArray()), CancellationToken.None);

        var golden = File.ReadAllText(Fixtures.Require("models/stories260K/greedy-once-upon-a-time.txt")).TrimEnd('\n');
        Assert.Equal(golden, Encoding.UTF8.GetString([.. text]));
        Assert.Equal(200 - prompt.Count + 1, turn.Tokens.Count);
        Assert.Equal(200, model.Position); // every token but the last went through the cache
    }

    [Fact]
    public void A_stories15M_shaped_checkpoint_gives_a_cache_model_whose_steps_match_one_run_of_the_whole_prompt()
    {
        using var temp = new TempDir();
        var checkpoint = temp.Combine("stories15M-synthetic.bin");
        SyntheticLlama2c.WriteCheckpoint(checkpoint, SyntheticLlama2c.Stories15M, seed: 15);
        var loaded = Llama2cCheckpoint.Load(checkpoint);
        Assert.Equal((288, 768, 6, 6, 6, 32000, 256), (loaded.Config.Dim, loaded.Config.HiddenDim, loaded.Config.Layers, loaded.Config.Heads, loaded.Config.KvHeads, loaded.Config.VocabSize, loaded.Config.SeqLen));
        var bytes = KvCacheModelWriter.Write(loaded).ToBytes();

        int[] tokens = [1, 300, 4000, 17, 25000, 9];
        using var whole = new StoryModel(bytes, threads: 1);
        var expected = whole.Forward(tokens);
        using var stepped = new StoryModel(bytes, threads: 1);
        stepped.Forward(tokens[..2]);
        stepped.Forward(tokens[2..5]);
        var actual = stepped.Forward(tokens[5..]);

        Assert.Equal(32000, actual.Length);
        Assert.Equal(6, stepped.Position);
        var scale = expected.Max(MathF.Abs);
        Assert.True(scale > 0f);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(MathF.Abs(expected[i] - actual[i]) <= 1e-4f * scale, $"logit {i}: {actual[i]} stepped vs {expected[i]} in one run");
        }

        // A different past must change the prediction (the cache is really read).
        using var other = new StoryModel(bytes, threads: 1);
        other.Forward([1, 301, 4001, 18, 25001]);
        Assert.NotEqual(expected, other.Forward([9]));
    }
}
