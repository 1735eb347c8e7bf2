using System.Diagnostics;
using System.Text;
using ModelCompress.Text;
using Xunit.Abstractions;

namespace ModelCompress.Tests.Importers;

public class GreedyGeneratorTests(StoriesFixture stories, ITestOutputHelper output) : IClassFixture<StoriesFixture>
{
    [Fact]
    public void Greedy_generation_matches_llama2c_run_c_exactly()
    {
        // run.c prints the decoded pieces, then one newline after its loop; the golden file is that output.
        var golden = File.ReadAllText(StoriesFixture.GoldenPath, Encoding.UTF8);
        using var generator = new GreedyGenerator(stories.Model, stories.Tokenizer);
        var watch = Stopwatch.StartNew();
        var result = generator.Generate("Once upon a time", steps: 200);
        output.WriteLine($"200 steps in {watch.ElapsedMilliseconds} ms; {result.Tokens.Count} tokens");
        output.WriteLine(result.Text);

        Assert.Equal(golden, result.Text + "\n");
        Assert.Equal(201, result.Tokens.Count); // BOS, then one token per step (the prompt's included)
        Assert.Equal(200, result.Steps);
        Assert.False(result.StoppedAtBos);
    }
}
