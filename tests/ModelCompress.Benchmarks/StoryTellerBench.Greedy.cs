using System.Globalization;
using StoryTeller;

namespace ModelCompress.Benchmarks;

/// <summary>Greedy text of each int8 mode against fp32's over 20 story openings.</summary>
internal sealed partial class StoryTellerBench
{
    private const int GreedyTokens = 64;
    private const int MustMatch = 32;

    /// <summary>Story openings in the style of the model's training text (none is in the sample's data files).</summary>
    private static readonly string[] Prompts =
    [
        "Once upon a time", "One day, a little girl named Lily", "Tom and his dog", "There was a big red ball",
        "The sun was shining and", "Sara wanted to bake a cake", "A little bird sat on a tree", "Max found a shiny key",
        "It was a rainy day", "Once there was a kind old man", "The cat saw a mouse", "Ben liked to play with his toy car",
        "Mom said, \"Let's go to the park.\"", "Anna had a pretty doll", "In a small house lived a happy family",
        "The boy looked at the sky and", "One night, the moon", "Lucy and her friend went to the beach",
        "A big fish swam in the sea", "The little dog was sad because",
    ];

    private static void GreedyTable(List<Made> made, string tokenizerPath)
    {
        var tokenizer = Llama2Tokenizer.Load(File.OpenRead(tokenizerPath));
        using var reference = new StoryModel(File.ReadAllBytes(made[0].Path!), 1);
        var fp32Texts = Prompts.Select(p => Greedy(reference, tokenizer.Encode(p, bos: true))).ToList();
        var fp32Ppl = Prompts.Select((p, i) => PerplexityUnder(reference, tokenizer.Encode(p, bos: true), fp32Texts[i])).ToList();
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Greedy text, int8 vs fp32, {Prompts.Length} prompts, up to {GreedyTokens} new tokens (a story may end sooner); perplexity of each text under fp32 (mean over prompts; fp32's own text: {fp32Ppl.Average():F3}):"));
        Console.WriteLine();
        Console.WriteLine($"| mode | identical for the first {MustMatch} new tokens | identical for all {GreedyTokens} | first divergence (median position) | perplexity of its text under fp32 |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var m in made.Skip(1))
        {
            using var model = new StoryModel(File.ReadAllBytes(m.Path!), 1);
            var first32 = 0;
            var all = 0;
            var divergence = new List<double>();
            var ppl = new List<double>();
            for (var i = 0; i < Prompts.Length; i++)
            {
                var prompt = tokenizer.Encode(Prompts[i], bos: true);
                var text = Greedy(model, prompt);
                var at = FirstDifference(fp32Texts[i], text);
                first32 += at >= MustMatch || (at < 0) ? 1 : 0;
                all += at < 0 ? 1 : 0;
                divergence.Add(at < 0 ? GreedyTokens : at);
                ppl.Add(PerplexityUnder(reference, prompt, text));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {m.Name} | {first32} of {Prompts.Length} | {all} of {Prompts.Length} | {Median(divergence):F0} | {ppl.Average():F3} |"));
        }
    }

    private static List<int> Greedy(StoryModel model, List<int> prompt)
    {
        model.Reset();
        return [.. StoryWriter.Turn(model, new TokenSampler(0f, 1f, 0), prompt, GreedyTokens, null, CancellationToken.None).Tokens];
    }

    /// <summary>The first index where the texts differ (a text that ended counts as different there), or −1.</summary>
    private static int FirstDifference(List<int> a, List<int> b)
    {
        for (var i = 0; i < Math.Max(a.Count, b.Count); i++)
        {
            if (i >= a.Count || i >= b.Count || a[i] != b[i])
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>exp of the mean negative log-likelihood of <paramref name="text"/> after <paramref name="prompt"/> under <paramref name="model"/>.</summary>
    private static double PerplexityUnder(StoryModel model, List<int> prompt, List<int> text)
    {
        if (text.Count == 0)
        {
            return double.NaN;
        }

        model.Reset();
        var logits = model.Forward(prompt);
        var nll = 0.0;
        for (var i = 0; i < text.Count; i++)
        {
            var max = logits.Max();
            var sum = logits.Sum(l => Math.Exp(l - max));
            nll -= logits[text[i]] - max - Math.Log(sum);
            if (i + 1 < text.Count)
            {
                logits = model.Forward([text[i]]);
            }
        }

        return Math.Exp(nll / text.Count);
    }
}
