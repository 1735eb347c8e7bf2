using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using ModelCompress.Calibration;
using ModelCompress.Onnx;
using ModelCompress.Quantization;
using ModelCompress.Recipe;
using ModelCompress.Testing;

namespace ModelCompress.Benchmarks.QuantEval;

/// <summary>
/// Measures int8 quantization on the real fixtures. <c>quant-eval char-gpt [--windows N] [--calib N]
/// [--configs a,b,...] [--latency rounds] [--ops] [--save DIR] [--latency-files a.onnx,b.onnx]</c>: perplexity, next-byte top-1 agreement with fp32, file size and
/// ONNX Runtime latency (batch 1, seq 128, 1 thread) on WikiText-2 test (first 200,000 bytes, windows of 128),
/// calibrated on WikiText-2 valid. Configs: fp32, minmax, percentile, entropy, dynamic, sq0.5, sqauto (SmoothQuant
/// then static minmax), with an optional <c>:int8</c> suffix for int8 activations.
/// <c>quant-eval mnist [--images N]</c>: top-1 of per-channel static QDQ on the MNIST test set.
/// </summary>
internal sealed partial class QuantEvalCommand : IBenchCommand
{
    private const int SeqLen = 128;

    public string Name => "quant-eval";

    public string Description => "int8 quantization on char-gpt / mnist-8: perplexity, agreement, size, latency";

    private static bool Verbose { get; set; }

    public int Run(string[] args)
    {
        Verbose = args.Contains("--verbose");
        var target = args.Length > 0 ? args[0] : "char-gpt";
        return target switch
        {
            "char-gpt" => CharGpt(args),
            "mnist" => Mnist(args),
            _ => Usage(),
        };
    }

    private static int Usage()
    {
        Console.WriteLine("quant-eval char-gpt|mnist [options]");
        return 2;
    }

    private static string Option(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    private int CharGpt(string[] args)
    {
        var windows = int.Parse(Option(args, "--windows", "200"), CultureInfo.InvariantCulture);
        var calib = int.Parse(Option(args, "--calib", "128"), CultureInfo.InvariantCulture);
        var rounds = int.Parse(Option(args, "--latency", "0"), CultureInfo.InvariantCulture);
        var threads = int.Parse(Option(args, "--threads", "2"), CultureInfo.InvariantCulture);
        var configs = Option(args, "--configs", "fp32,minmax").Split(',');
        var modelPath = Fixtures.Require("models/char-gpt/char-gpt-6l384.onnx");
        var text = File.ReadAllBytes(Fixtures.Require("data/wikitext-2/test.txt")).AsSpan(0, 200_000).ToArray();
        var eval = new LanguageModelEval(text, SeqLen, windows);
        var fp32Bytes = File.ReadAllBytes(modelPath);
        Console.WriteLine($"char-gpt: {eval.Windows} test windows of {SeqLen}, calibration {calib} windows of wikitext-2 valid, eval threads {threads}");

        int[]? reference = null;
        double referencePpl = 0;
        var latencyModels = new List<(string Name, byte[] Bytes)>();
        Console.WriteLine($"{"config",-16} {"ppl",8} {"Δppl%",8} {"top1",7} {"agree",7} {"bytes",10} {"ratio",6} {"build s",8}");
        foreach (var config in configs.Prepend("fp32").Distinct())
        {
            var sw = Stopwatch.StartNew();
            var bytes = config == "fp32" ? fp32Bytes : Build(modelPath, config, calib);
            var buildSeconds = sw.Elapsed.TotalSeconds;
            using var session = OrtEval.Session(bytes, threads);
            var (argmax, nll, top1) = eval.Run(session, "input_ids");
            var ppl = Math.Exp(nll);
            reference ??= argmax;
            if (config == "fp32")
            {
                referencePpl = ppl;
            }

            var agree = argmax.Zip(reference).Count(p => p.First == p.Second) / (double)argmax.Length;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{config,-16} {ppl,8:F4} {100 * ((ppl / referencePpl) - 1),8:F4} {top1,7:F4} {agree,7:F4} {bytes.Length,10} {bytes.Length / (double)fp32Bytes.Length,6:F4} {buildSeconds,8:F1}"));
            if (args.Contains("--ops") && config != "fp32")
            {
                Console.WriteLine("    ORT ops: " + OrtEval.FusedOps(bytes));
            }

            latencyModels.Add((config, bytes));
            if (Option(args, "--save", "") is { Length: > 0 } saveDir)
            {
                Directory.CreateDirectory(saveDir);
                File.WriteAllBytes(Path.Combine(saveDir, config.Replace(':', '_') + ".onnx"), bytes);
            }
        }

        foreach (var extra in Option(args, "--latency-files", "").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            latencyModels.Add((Path.GetFileNameWithoutExtension(extra), File.ReadAllBytes(extra)));
        }

        if (rounds > 0)
        {
            var ids = text.AsSpan(0, SeqLen).ToArray().Select(b => (long)b).ToArray();
            using var input = OrtValue.CreateTensorValueFromMemory(ids, [1, SeqLen]);
            var ms = OrtEval.Latency([.. latencyModels.Select(m => m.Bytes)], "input_ids", input, rounds);
            Console.WriteLine($"latency, batch 1 x seq {SeqLen}, 1 thread, median of {rounds} interleaved runs:");
            for (var i = 0; i < ms.Length; i++)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {latencyModels[i].Name,-16} {ms[i],8:F2} ms   fp32/this {ms[0] / ms[i],5:F2}x"));
                if (args.Contains("--profile"))
                {
                    Console.WriteLine(OrtProfile.Summarize(latencyModels[i].Bytes, "input_ids", input, rounds));
                }
            }
        }

        return 0;
    }

    /// <summary>
    /// Makes the <paramref name="config"/> variant the way <c>dotnet build</c> does: a compression.yaml calibrated on
    /// WikiText-2 valid (byte tokens, windows of 128) run by the engine; returns the output model's bytes.
    /// </summary>
    private static byte[] Build(string modelPath, string config, int calibSamples)
    {
        var calibration = $"    calibration: {{ data: '{Fixtures.Require("data/wikitext-2/valid.txt")}', format: text, tokenizer: bytes, seq_len: {SeqLen}, samples: {calibSamples} }}\n";
        var variant = Variant(config);
        var made = EvalRecipes.Run(Work.Value, variant, Recipe(modelPath, calibration, variant.Steps));
        var output = made.Path ?? throw new InvalidOperationException($"{config}: {made.Unavailable}");
        foreach (var note in made.Notes)
        {
            Console.WriteLine("    " + note);
        }

        if (Verbose)
        {
            PrintAlphas(Path.Combine(Path.GetDirectoryName(output)!, "report.json"));
        }

        return File.ReadAllBytes(output);
    }

    /// <summary>A config name (minmax, percentile, entropy, dynamic, sq0.5, sqauto, sqauto+percentile; ':int8' for int8 activations) as recipe steps.</summary>
    internal static EvalRecipeVariant Variant(string config)
    {
        var parts = config.Split(':');
        var plus = parts[0].Split('+');
        var name = plus[0];
        var method = plus.Length > 1 ? plus[1] : name is "percentile" or "entropy" ? name : "minmax";
        var activations = parts.Contains("int8") ? "int8" : "uint8";
        if (name == "dynamic")
        {
            return new(config, Slug(config), "      - quantize: { mode: dynamic, weights: int8, per_channel: true }\n", false, false);
        }

        var smooth = !name.StartsWith("sq", StringComparison.Ordinal) ? string.Empty
            : $"      - smoothquant: {{ alpha: {(name == "sqauto" ? "auto" : name[2..])} }}\n";
        var quantize = $"      - quantize: {{ mode: static, weights: int8, activations: {activations}, per_channel: true, method: {method} }}\n";
        return new(config, Slug(config), smooth + quantize, true, true);
    }

    private static string Slug(string config) => config.Replace(':', '_').Replace('+', '_');

    /// <summary>The recipe of one quant-eval variant (absolute paths, no cache, no verify: the command measures).</summary>
    internal static string Recipe(string source, string calibration, string steps) =>
        "# Written by `ModelCompress.Benchmarks quant-eval`: one variant.\nversion: 1\nallow_outside: true\ncache: { enabled: false }\nmodels:\n"
        + $"  - name: model\n    source: '{source}'\n" + calibration + "    steps:\n" + steps;

    private static readonly Lazy<string> Work = new(() => Directory.CreateTempSubdirectory("mc-quant-eval-").FullName);

    /// <summary>The α the smoothquant step chose per layer, read from the run's report.json.</summary>
    private static void PrintAlphas(string reportPath)
    {
        var report = ModelCompress.Reports.ReportJson.Parse(File.ReadAllBytes(reportPath));
        foreach (var step in report.Models.Single().Steps.Where(s => s.Layers.Any(l => l.Alpha is not null)))
        {
            Console.WriteLine("    α: " + string.Join(" ", step.Layers.Select(l => $"{l.Name}={l.Alpha:0.###}")));
        }
    }
}
