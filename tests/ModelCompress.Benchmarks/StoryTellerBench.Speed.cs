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
            $"Generation speed, batch 1, prompt \"{SpeedPrompt}\" ({prompt.Count} tokens), greedy with the end-of-story tokens masked so every run makes its full count; median of {reps} runs per model, taken in rounds, after one warm-up each:"));
        Console.WriteLine();
        Console.WriteLine("| mode | threads | new tokens | tokens/s | × fp32 | time to first token (ms) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var threads in new[] { 1, 2 })
        {
            var models = made.Select(m => new StoryModel(File.ReadAllBytes(m.Path!), threads)).ToList();
            try
            {
                foreach (var wanted in new[] { 64, 256 })
                {
                    // Round robin (every model once per round, after one warm-up each) so that load from other work on
                    // the machine falls on all models alike instead of on whichever ran during it.
                    var count = Math.Min(wanted, models[0].ContextLength - prompt.Count);
                    models.ForEach(model => Measure(model, prompt, count));
                    var runs = models.Select(_ => new List<(double Rate, double FirstMs)>()).ToList();
                    for (var rep = 0; rep < reps; rep++)
                    {
                        for (var i = 0; i < models.Count; i++)
                        {
                            runs[i].Add(Measure(models[i], prompt, count));
                        }
                    }

                    var baseline = Median(runs[0].Select(r => r.Rate));
                    for (var i = 0; i < models.Count; i++)
                    {
                        var rate = Median(runs[i].Select(r => r.Rate));
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"| {made[i].Name} | {threads} | {count} | {rate:F1} | {rate / baseline:F2} | {Median(runs[i].Select(r => r.FirstMs)):F2} |"));
                    }
                }
            }
            finally
            {
                models.ForEach(m => m.Dispose());
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
