using System.Globalization;
using ModelCompress.Importers;
using ModelCompress.Testing;
using StoryTeller.Generator;

namespace ModelCompress.Benchmarks;

/// <summary>
/// <c>storyteller</c>: the StoryTeller sample's model (a llama2.c checkpoint written with a key/value cache by
/// <see cref="KvCacheModelWriter"/>) compressed by <see cref="Engine.ModelCompressEngine.Compress"/> in each int8 mode,
/// with the sample's calibration and validation text, then generated from with the sample's own runtime classes
/// (StoryModel, StoryWriter, TokenSampler, Llama2Tokenizer): tokens/s and time to first token, fp32 vs int8, batch 1,
/// 1 and 2 threads, 64 and 256 new tokens (fewer where the context ends first); and greedy int8 vs fp32 text over 20
/// prompts: the first position where they differ, and the perplexity of each model's text under fp32.
/// <c>--synthetic-15m</c> runs a seeded random checkpoint of the stories15M shape instead of stories260K.
/// </summary>
internal sealed partial class StoryTellerBench : IBenchCommand
{
    public string Name => "storyteller";

    public string Description => "StoryTeller sample: tokens/s + TTFT fp32 vs int8 modes, greedy agreement over 20 prompts (--synthetic-15m, --reps N, --modes \"a;b\", --no-greedy)";

    public int Run(string[] args)
    {
        var synthetic = args.Contains("--synthetic-15m");
        var reps = int.Parse(Option(args, "--reps", "5"), CultureInfo.InvariantCulture);
        var only = Option(args, "--modes", string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries);
        var work = Directory.CreateTempSubdirectory("mc-storyteller-").FullName;
        string checkpoint, tokenizer;
        if (synthetic)
        {
            checkpoint = Path.Combine(work, "stories15M-synthetic.bin");
            tokenizer = Path.Combine(work, "tok32000-synthetic.bin");
            SyntheticLlama2c.WriteCheckpoint(checkpoint, SyntheticLlama2c.Stories15M, seed: 15);
            SyntheticLlama2c.WriteTokenizer(tokenizer, SyntheticLlama2c.Stories15M.Vocab);
        }
        else
        {
            checkpoint = Fixtures.Require("models/stories260K/stories260K.bin");
            tokenizer = Fixtures.Require("models/stories260K/tok512.bin");
        }

        var source = Path.Combine(work, "story.onnx");
        var loaded = Llama2cCheckpoint.Load(checkpoint);
        KvCacheModelWriter.Write(loaded).Save(source);
        Console.WriteLine($"model: {Path.GetFileName(checkpoint)} ({loaded.Config}), key/value cache; work folder {work}; {Environment.ProcessorCount} cores");

        var made = new List<Made> { new("fp32", source, null, 0) };
        foreach (var mode in Modes.Where(m => only.Length == 0 || only.Contains(m.Name)))
        {
            made.Add(Compress(work, mode, source, tokenizer));
        }

        QualityTable(made);
        SpeedTable(made.Where(m => m.Path is not null).ToList(), tokenizer, reps);
        if (!args.Contains("--no-greedy"))
        {
            GreedyTable(made.Where(m => m.Path is not null).ToList(), tokenizer);
        }

        return 0;
    }

    private static string Option(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
