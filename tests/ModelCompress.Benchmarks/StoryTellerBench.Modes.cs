using System.Diagnostics;
using System.Globalization;
using ModelCompress.Diagnostics;
using ModelCompress.Engine;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Recipe;
using ModelCompress.Testing;

namespace ModelCompress.Benchmarks;

/// <summary>The int8 modes compared, each made by the engine from a compression.yaml like the sample's.</summary>
internal sealed partial class StoryTellerBench
{
    /// <summary>
    /// The sample's recipe steps first (the mode it ships), then the alternatives. "embeddings float" keeps the token
    /// table's Gather out of int8: stored int8 it is dequantized whole on every run, which for one token per run
    /// costs more than the int8 layers save (see docs/benchmarks.md).
    /// </summary>
    private static readonly (string Name, string Steps)[] Modes =
    [
        ("shipped: sq+static, layer 0 w2 + embeddings float", "      - smoothquant: { alpha: auto }\n      - quantize: { mode: static, weights: int8, activations: uint8, per_channel: true, method: minmax, exclude: [\"layers.0.feed_forward.w2\", \"tok_embeddings\"] }\n"),
        ("sq+static, embeddings float", "      - smoothquant: { alpha: auto }\n      - quantize: { mode: static, weights: int8, activations: uint8, per_channel: true, method: minmax, exclude: [\"tok_embeddings\"] }\n"),
        ("sq+static", "      - smoothquant: { alpha: auto }\n      - quantize: { mode: static, weights: int8, activations: uint8, per_channel: true, method: minmax }\n"),
        ("static, embeddings float", "      - quantize: { mode: static, weights: int8, activations: uint8, per_channel: true, method: minmax, exclude: [\"tok_embeddings\"] }\n"),
        ("static", "      - quantize: { mode: static, weights: int8, activations: uint8, per_channel: true, method: minmax }\n"),
        ("dynamic, embeddings float", "      - quantize: { mode: dynamic, weights: int8, per_channel: true, exclude: [\"tok_embeddings\"] }\n"),
        ("weight_only", "      - quantize: { mode: weight_only, weights: int8, per_channel: true }\n"),
    ];

    /// <summary>A model to measure: fp32 (no metrics) or a compressed one with the engine's verification numbers.</summary>
    private sealed record Made(string Name, string? Path, Verification.VerificationMetrics? Metrics, double Seconds, string? Note = null);

    private static Made Compress(string work, (string Name, string Steps) mode, string source, string tokenizer)
    {
        var dir = Path.Combine(work, new string([.. mode.Name.Select(c => char.IsLetterOrDigit(c) ? c : '_')]));
        Directory.CreateDirectory(dir);
        var data = Path.Combine(Fixtures.RepoRoot, "samples", "StoryTeller", "data");
        var recipe = "version: 1\nallow_outside: true\ncache: { enabled: false }\nmodels:\n  - name: story\n" +
            $"    source: '{source}'\n" +
            $"    calibration: {{ data: '{Path.Combine(data, "calibration.txt")}', tokenizer: '{tokenizer}', seq_len: 64, samples: 16 }}\n" +
            $"    verify:\n      data: '{Path.Combine(data, "validation.txt")}'\n      thresholds:\n        - {{ metric: top1_agreement, min: 0.0 }}\n" +
            "    steps:\n" + mode.Steps;
        var path = Path.Combine(dir, RecipeLoader.DefaultFileName);
        File.WriteAllText(path, recipe);
        var sink = new ListDiagnosticSink();
        var clock = Stopwatch.StartNew();
        try
        {
            var loaded = RecipeLoader.Load(path, RecipeLoadOptions.Default, sink)
                ?? throw new InvalidOperationException("recipe rejected: " + string.Join("; ", sink.Items.Select(d => d.Message)));
            var result = ModelCompressEngine.Compress(loaded, new CompressOptions(Path.Combine(dir, "out")), sink, CancellationToken.None);
            var output = Path.Combine(dir, "out", "story.onnx");
            return new Made(mode.Name, File.Exists(output) ? output : null, result.Report.Models.Single().Verification?.Metrics, clock.Elapsed.TotalSeconds);
        }
        catch (ModelCompressException e)
        {
            return new Made(mode.Name, null, null, clock.Elapsed.TotalSeconds, $"{e.Code}: {e.Diagnostic.Message}");
        }
    }

    private static void QualityTable(List<Made> made)
    {
        Console.WriteLine();
        Console.WriteLine("Engine verification on the sample's validation text (windows of 64 tokens):");
        Console.WriteLine();
        Console.WriteLine("| mode | size (bytes) | perplexity (fp32) | perplexity | top-1 agreement | made in s |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var m in made)
        {
            var size = m.Path is null ? "—" : new FileInfo(m.Path).Length.ToString("N0", CultureInfo.InvariantCulture);
            var v = m.Metrics;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {m.Name} | {size} | {(v?.ReferencePerplexity is { } r ? r.ToString("F3", CultureInfo.InvariantCulture) : "—")} | {(v?.Perplexity is { } p ? p.ToString("F3", CultureInfo.InvariantCulture) : "—")} | {(v is null ? "—" : v.Top1Agreement.ToString("F4", CultureInfo.InvariantCulture))} | {m.Seconds:F1} |{(m.Note is null ? "" : " " + m.Note)}"));
        }
    }
}
