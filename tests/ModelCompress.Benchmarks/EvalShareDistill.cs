using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using ModelCompress.Engine;
using ModelCompress.Importers;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Recipe;
using ModelCompress.Testing;

namespace ModelCompress.Benchmarks;

/// <summary>
/// <c>share-distill</c>: weight clustering, low-rank factorization and int8 weights, each with and without layer-wise
/// distillation, made the way a user makes them (a <c>compression.yaml</c> per variant, run by
/// <see cref="ModelCompressEngine.Compress"/>) and measured by the engine's own verification on held-out data:
/// perplexity (char-GPT: WikiText-2 test bytes; stories260K: Tiny Shakespeare, tok512) or top-1 accuracy (mnist-8), the
/// file size ratio and ONNX Runtime latency (median of round-robin runs, one intra-op thread) against the fp32 source.
/// For each "+ distill" row, "gap recovered" is (metric without distill − with) / (metric without distill − fp32).
/// </summary>
internal sealed class EvalShareDistill : IBenchCommand
{
    private static readonly (string Name, string Steps)[] Variants =
    [
        ("k=16", "      - share: { method: cluster, clusters: 16 }\n"),
        ("k=256", "      - share: { method: cluster, clusters: 256 }\n"),
        ("lowrank 0.9", "      - share: { method: lowrank, energy: 0.9 }\n"),
        ("lowrank 0.95", "      - share: { method: lowrank, energy: 0.95 }\n"),
        ("lowrank 0.99", "      - share: { method: lowrank, energy: 0.99 }\n"),
        ("int8 w-only", "      - quantize: { mode: weight_only, weights: int8, per_channel: true }\n"),
        ("magnitude 50%", "      - prune: { method: magnitude, sparsity: 0.5 }\n"),
        ("int4 RTN b32", "      - quantize: { mode: weight_only, weights: int4, block_size: 32, algorithm: rtn }\n"),
        // The combined recipe of issue 12: distillation re-fits the pruned layers before SmoothQuant and static int8.
        ("2:4 wanda + SQ int8", "      - prune: { method: wanda, pattern: \"2:4\" }\n" + DistillHere
            + "      - smoothquant: { alpha: auto }\n      - quantize: { mode: static, weights: int8, activations: uint8, per_channel: true, method: minmax }\n"),
    ];

    /// <summary>Where a variant's "+ distill" row puts the distill step; variants without it get it last.</summary>
    private const string DistillHere = "{distill}";

    public string Name => "share-distill";

    public string Description => "clustering / low-rank / int8 with and without layer-wise distillation (--models, --variants, --calib, --verify, --rows)";

    public int Run(string[] args)
    {
        var models = Option(args, "--models", "mnist-8,stories260K,char-gpt").Split(',');
        var only = Option(args, "--variants", string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries);
        var calib = int.Parse(Option(args, "--calib", "16"), CultureInfo.InvariantCulture);
        var verify = int.Parse(Option(args, "--verify", "16"), CultureInfo.InvariantCulture);
        var rows = int.Parse(Option(args, "--rows", "1024"), CultureInfo.InvariantCulture);
        var epochs = int.Parse(Option(args, "--epochs", "4"), CultureInfo.InvariantCulture);
        var work = Directory.CreateTempSubdirectory("mc-share-distill-").FullName;
        var distill = string.Create(CultureInfo.InvariantCulture, $"      - distill: {{ method: layerwise, teacher: source, rows: {rows}, epochs: {epochs} }}\n");
        Console.WriteLine($"calibration {calib} samples, verification {verify} samples, distill rows {rows}, epochs {epochs}; work folder {work}");
        foreach (var model in models)
        {
            var (source, head) = Fixture(model, work, calib, verify);
            Console.WriteLine();
            Console.WriteLine($"### {model}");
            Console.WriteLine();
            Console.WriteLine("| variant | size vs fp32 | metric (fp32) | metric | + distill | gap recovered | latency vs fp32 | made in s (+ distill) |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var (name, steps) in Variants.Where(v => only.Length == 0 || only.Contains(v.Name)))
            {
                var plain = Make(work, model, name, head + steps.Replace(DistillHere, string.Empty, StringComparison.Ordinal));
                var fitted = Make(work, model, name + " + distill", head + (steps.Contains(DistillHere, StringComparison.Ordinal)
                    ? steps.Replace(DistillHere, distill, StringComparison.Ordinal) : steps + distill));
                var latency = plain.Output is null ? double.NaN : Latency(source, plain.Output, model);
                var recovered = (plain.Metric - fitted.Metric) / (plain.Metric - plain.Reference);
                // A gap only where the plain variant is worse than fp32: perplexity higher, accuracy lower.
                var worse = model == "mnist-8" ? plain.Metric < plain.Reference - 1e-9 : plain.Metric > plain.Reference + 1e-9;
                var gap = !worse ? "no gap" : recovered.ToString("P0", CultureInfo.InvariantCulture);
                Console.WriteLine(FormattableString.Invariant(
                    $"| {name} | {plain.Size:F3} | {plain.Reference:F4} | {plain.Metric:F4} | {fitted.Metric:F4} | {gap} | {latency:F2}× | {plain.Seconds:F0} (+{fitted.Seconds - plain.Seconds:F0}) |"));
            }
        }

        return 0;
    }

    internal sealed record Made(string? Output, double Size, double Reference, double Metric, double Seconds);

    /// <summary>The fixture's source model and the recipe text up to its steps (calibration and verification data).</summary>
    internal static (string Source, string Head) Fixture(string model, string work, int calib, int verify)
    {
        string source, calibration, verification;
        switch (model)
        {
            case "char-gpt":
                source = Fixtures.Require("models/char-gpt/char-gpt-6l384.onnx");
                calibration = $"{{ data: '{Fixtures.Require("data/wikitext-2/valid.txt")}', tokenizer: bytes, seq_len: 128, samples: {calib} }}";
                verification = $"      data: '{Fixtures.Require("data/wikitext-2/test.txt")}'\n      tokenizer: bytes\n      seq_len: 128\n      samples: {verify}\n";
                break;
            case "stories260K":
                source = Path.Combine(work, "stories260K.onnx");
                var tokenizer = Fixtures.Require("models/stories260K/tok512.bin");
                Llama2cImporter.ImportToFile(Fixtures.Require("models/stories260K/stories260K.bin"), source, tokenizer);
                // Calibration (and so distillation) on the first half of the text, verification on the second half.
                var text = File.ReadAllText(Fixtures.Require("data/tinyshakespeare/input.txt"));
                var (fit, held) = (Path.Combine(work, "shakespeare-fit.txt"), Path.Combine(work, "shakespeare-held-out.txt"));
                File.WriteAllText(fit, text[..(text.Length / 2)]);
                File.WriteAllText(held, text[(text.Length / 2)..]);
                calibration = $"{{ data: '{fit}', tokenizer: '{tokenizer}', seq_len: 128, samples: {calib} }}";
                verification = $"      data: '{held}'\n      tokenizer: '{tokenizer}'\n      seq_len: 128\n      samples: {verify}\n";
                break;
            case "mnist-8":
                source = Fixtures.Require("models/mnist-8.onnx");
                // Calibration on images 5000… of the test set, verification on the first 2000: no image in both.
                var images = Fixtures.Require("data/mnist/t10k-images-idx3-ubyte.gz");
                var pixels = Data.IdxReader.ReadFile(images).ToFloatArray();
                var count = Math.Max(calib, 256);
                var calibrationImages = Path.Combine(work, "mnist-calibration.npy");
                Data.NpyWriter.WriteFile(calibrationImages, Data.NdArray.FromFloats(pixels.AsSpan(5000 * 784, count * 784).ToArray(), count, 1, 28, 28));
                calibration = $"{{ data: '{calibrationImages}', samples: {count} }}";
                verification = $"      data: '{images}'\n      labels: '{Fixtures.Require("data/mnist/t10k-labels-idx1-ubyte.gz")}'\n      samples: {Math.Max(verify, 2000)}\n";
                break;
            default:
                throw new ArgumentException($"unknown model '{model}' (char-gpt, stories260K, mnist-8)");
        }

        var head = "version: 1\nallow_outside: true\ncache: { enabled: false }\nmodels:\n  - name: model\n" +
            $"    source: '{source}'\n    calibration: {calibration}\n    verify:\n{verification}      thresholds:\n" +
            "        - { metric: top1_agreement, min: 0.0 }\n    steps:\n";
        return (source, head);
    }

    internal static Made Make(string work, string model, string name, string recipe)
    {
        var dir = Path.Combine(work, model, name.Replace(' ', '_').Replace('=', '_').Replace('+', 'p').Replace("%", "pc", StringComparison.Ordinal).Replace(':', '-'));
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, RecipeLoader.DefaultFileName);
        File.WriteAllText(path, recipe);
        var sink = new ListDiagnosticSink();
        var clock = Stopwatch.StartNew();
        try
        {
            var result = ModelCompressEngine.Compress(RecipeLoader.Load(path, RecipeLoadOptions.Default, sink)!, new CompressOptions(Path.Combine(dir, "out")), sink, CancellationToken.None);
            var report = result.Report.Models.Single();
            var m = report.Verification!.Metrics;
            var (reference, metric) = m.Perplexity is { } ppl ? (m.ReferencePerplexity!.Value, ppl) : (m.ReferenceAccuracy ?? double.NaN, m.Accuracy ?? double.NaN);
            return new Made(Path.Combine(dir, "out", "model.onnx"), report.SizeRatio, reference, metric, clock.Elapsed.TotalSeconds);
        }
        catch (ModelCompressException e)
        {
            Console.WriteLine($"  {name}: {e.Code} {e.Diagnostic.Message}");
            return new Made(null, double.NaN, double.NaN, double.NaN, clock.Elapsed.TotalSeconds);
        }
    }

    /// <summary>The output's median latency divided by the source's (one input of the model's usual shape).</summary>
    internal static double Latency(string source, string output, string model)
    {
        var input = EvalOrt.InputName(source);
        Func<OrtValue> make = model == "mnist-8"
            ? () => OrtValue.CreateTensorValueFromMemory(new float[784], [1, 1, 28, 28])
            : () => OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, 128).Select(i => (long)(i % 200) + 1).ToArray(), [1, 128]);
        var times = EvalOrt.Latency([source, output], input, make, 1, 30);
        return times[1] / times[0];
    }

    internal static string Option(string[] args, string name, string fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
    }
}
