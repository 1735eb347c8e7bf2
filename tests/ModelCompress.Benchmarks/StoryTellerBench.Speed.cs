using System.Diagnostics;
using System.Globalization;
using StoryTeller;

namespace ModelCompress.Benchmarks;

/// <summary>Tokens per second and time to first token, with the sample's runtime (key/value cache, batch 1).</summary>
internal sealed partial class StoryTellerBench
{
    private const string SpeedPrompt = "Once upon a time";

    private static void SpeedTable(List<Made> made, string tokenizerPath, int reps)
    {
        var tokenizer = Llama2Tokenizer.Load(File.OpenRead(tokenizerPath));
        var prompt = tokenizer.Encode(SpeedPrompt, bos: true);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Generation speed, batch 1, prompt \"{SpeedPrompt}\" ({prompt.Count} tokens), greedy with the end-of-story tokens masked so every run makes its full count; median of {reps} runs after one warm-up:"));
        Console.WriteLine();
        Console.WriteLine("| mode | threads | new tokens | tokens/s | × fp32 | time to first token (ms) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        var baseline = new Dictionary<(int, int), double>();
        foreach (var threads in new[] { 1, 2 })
        {
            foreach (var m in made)
            {
                using var model = new StoryModel(File.ReadAllBytes(m.Path!), threads);
                foreach (var wanted in new[] { 64, 256 })
                {
                    var count = Math.Min(wanted, model.ContextLength - prompt.Count);
                    Measure(model, prompt, count);
                    var runs = Enumerable.Range(0, reps).Select(_ => Measure(model, prompt, count)).ToList();
                    var rate = Median(runs.Select(r => r.Rate));
                    var ttft = Median(runs.Select(r => r.FirstMs));
                    if (m.Name == "fp32")
                    {
                        baseline[(threads, wanted)] = rate;
                    }

                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {m.Name} | {threads} | {count} | {rate:F1} | {rate / baseline[(threads, wanted)]:F2} | {ttft:F2} |"));
                }
            }
        }
    }

    /// <summary>One story of <paramref name="count"/> new tokens: decode rate after the first token, and the time to it.</summary>
    private static (double Rate, double FirstMs) Measure(StoryModel model, List<int> prompt, int count)
    {
        model.Reset();
        var clock = Stopwatch.StartNew();
        var logits = model.Forward(prompt);
        var next = NextWithoutEnd(logits);
        var first = clock.Elapsed;
        for (var i = 1; i < count; i++)
        {
            logits = model.Forward([next]);
            next = NextWithoutEnd(logits);
        }

        var decode = (clock.Elapsed - first).TotalSeconds;
        return ((count - 1) / decode, first.TotalMilliseconds);
    }

    private static int NextWithoutEnd(float[] logits)
    {
        logits[Llama2Tokenizer.Bos] = float.NegativeInfinity;
        logits[Llama2Tokenizer.Eos] = float.NegativeInfinity;
        return TokenSampler.ArgMax(logits);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
