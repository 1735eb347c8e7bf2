using System.Diagnostics;
using System.Globalization;
using ModelCompress.Engine;
using ModelCompress.Importers;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Recipe;
using ModelCompress.Reports;
using ModelCompress.Testing;

namespace ModelCompress.Benchmarks;

/// <summary>
/// Accuracy-driven tuning (<c>tune:</c>) on a real fixture, run through <see cref="ModelCompressEngine"/> with a
/// per-layer cache as <c>dotnet build</c> runs it: the trials table, the chosen candidate, a no-op rerun (decision read
/// back), and, with <c>--compare</c>, one plain run of the given steps without cache for the time ratio — in this
/// process, after the tuning runs (so it finds their code compiled), and then <c>--fresh N</c> times (default 1) as a
/// pair of fresh processes, as a cold <c>dotnet build</c> runs each: the plain run, then the tuning run with an empty cache.
/// Usage: <c>tune --model char-gpt|stories260K|mnist-8|ppocrv4-rec [--objective size] [--max-trials 16] [--calibration 32] [--verify 32]
/// [--thresholds "perplexity:max_increase:0.0003; top1_agreement:min:0.9"] [--candidates "steps | steps"]
/// [--compare "smoothquant: { alpha: auto }; quantize: { mode: static }"] [--fresh 1]</c>. Steps are separated by ';', candidates by '|'.
/// </summary>
internal sealed class TuneBench : IBenchCommand
{
    public string Name => "tune";

    public string Description => "tune: trials, choice, no-op rerun and time vs one plain run (char-gpt, stories260K, mnist-8, ppocrv4-rec)";

    public int Run(string[] args)
    {
        if (args is ["--run-once", var onceRecipe, var onceOutput, var onceCache])
        {
            // One run in a process of its own (see FreshRun): wall and CPU time on one line for the parent to read.
            var (_, onceMs, onceCpuMs) = Compress(onceRecipe, onceOutput, onceCache == "-" ? null : onceCache);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"run-once {onceMs:0.0} {onceCpuMs:0.0}"));
            return 0;
        }

        string Arg(string name, string fallback) => Array.IndexOf(args, name) is >= 0 and var i && i + 1 < args.Length ? args[i + 1] : fallback;
        var model = Arg("--model", "char-gpt");
        var calibration = int.Parse(Arg("--calibration", "32"), CultureInfo.InvariantCulture);
        var verify = int.Parse(Arg("--verify", "32"), CultureInfo.InvariantCulture);
        var thresholds = Arg("--thresholds", model == "mnist-8" ? "accuracy:max_drop:0.01" : "perplexity:max_increase:0.0003");
        var tune = $"      objective: {Arg("--objective", "size")}\n      max_trials: {Arg("--max-trials", "16")}\n" + Candidates(Arg("--candidates", string.Empty));
        using var dir = new TempDirectory();
        var recipePath = Path.Combine(dir.FullPath, "compression.yaml");
        if (model == "stories260K")
        {
            Llama2cImporter.Import(Fixtures.Require("models/stories260K/stories260K.bin"), Fixtures.Require("models/stories260K/tok512.bin"))
                .Save(Path.Combine(dir.FullPath, "stories260K.onnx"));
        }

        if (model == "ppocrv4-rec")
        {
            // The evaluation's digit lines (EvalOcrLines): verify lines from images 0.., calibration from images 5000...
            var (images, _) = Mnist.TestSet();
            EvalOcrLines.WriteNpy(Path.Combine(dir.FullPath, "verify.npy"), images, 0, verify);
            EvalOcrLines.WriteNpy(Path.Combine(dir.FullPath, "calib.npy"), images, 5000, calibration);
        }

        File.WriteAllText(recipePath, Recipe(model, "    tune:\n" + tune, calibration, verify, thresholds));
        var cache = Path.Combine(dir.FullPath, "cache");
        var (first, firstMs, firstCpuMs) = Compress(recipePath, Path.Combine(dir.FullPath, "out"), cache);
        var (second, secondMs, _) = Compress(recipePath, Path.Combine(dir.FullPath, "out2"), cache);
        var t = first.Report.Models[0].Tuning!;
        Console.WriteLine($"## tune on {model}: calibration {calibration}, verify {verify}, thresholds {thresholds}");
        Console.WriteLine();
        Console.WriteLine("| order | # | candidate | result | margin | bounds | size | size ratio | latency ms | trial s | cache hits/misses |");
        Console.WriteLine("|---:|---:|---|---|---:|---|---:|---:|---:|---:|---:|");
        var source = first.Report.Models[0].SourceBytes;
        var k = 1;
        foreach (var r in t.Trials)
        {
            var bounds = r.Error ?? string.Join("; ", r.Thresholds.Select(o => $"{o.Metric} {o.Value:G5} ({o.Bound})"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {k++} | {r.Candidate} | {r.Label} | {(r.Passed ? "pass" : "FAIL")} | {r.Margin:0.###} | {bounds} | {r.OutputBytes:N0} B | {(double)r.OutputBytes / source:0.000}× | {r.LatencyMs:0.00} | {r.Milliseconds / 1000:0.0} | {r.CacheHits}/{r.CacheMisses} |"));
        }

        Console.WriteLine();
        Console.WriteLine("Where each trial's time went (s):");
        Console.WriteLine();
        foreach (var r in t.Trials)
        {
            var phases = string.Join(", ", (r.Phases ?? []).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Name} {p.Milliseconds / 1000:0.00}")));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"- #{r.Candidate} {r.Label}: {phases}"));
        }

        Console.WriteLine();
        Console.WriteLine($"- chosen: candidate {t.Chosen} [{t.ChosenLabel}], passed {t.Passed}: {t.Reason}; stopped by {t.StopReason}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"- first run {firstMs / 1000:0.0} s (tuning {t.Milliseconds / 1000:0.0} s over {t.Trials.Count} trials of {t.Candidates}); output {first.Report.Models[0].OutputBytes:N0} B ({first.Report.Models[0].SizeRatio:0.000}×)"));
        var t2 = second.Report.Models[0].Tuning!;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"- rerun, same inputs: decision read back {t2.FromCache} in {t2.Milliseconds:0.0} ms; whole run {secondMs / 1000:0.00} s (chosen steps rebuilt from the layer cache, gate run again); same bytes: {File.ReadAllBytes(Path.Combine(dir.FullPath, "out", model + ".onnx")).SequenceEqual(File.ReadAllBytes(Path.Combine(dir.FullPath, "out2", model + ".onnx")))}"));
        var rerun = second.Report.Timings.Models[0];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"- rerun phases: load {rerun.LoadMilliseconds:0} ms, steps {rerun.StepMilliseconds.Sum():0} ms, verify {rerun.VerifyMilliseconds:0} ms, rest {secondMs - rerun.LoadMilliseconds - rerun.StepMilliseconds.Sum() - rerun.VerifyMilliseconds:0} ms"));
        if (Arg("--compare", string.Empty) is { Length: > 0 } compare)
        {
            var plainPath = Path.Combine(dir.FullPath, "plain.yaml");
            var steps = "    steps:\n" + string.Join("\n", compare.Split(';').Select(s => "      - " + s.Trim()));
            File.WriteAllText(plainPath, Recipe(model, steps, calibration, verify, thresholds));
            var (_, plainMs, plainCpuMs) = Compress(plainPath, Path.Combine(dir.FullPath, "plain"), null);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"- one plain run of [{compare}] without cache: {plainMs / 1000:0.0} s; tuning run / plain run = {firstMs / plainMs:0.00}×"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"- process CPU time (all threads): tuning run {firstCpuMs / 1000:0.0} s, plain run {plainCpuMs / 1000:0.0} s; ratio {firstCpuMs / plainCpuMs:0.00}×"));
            FreshPairs(dir.FullPath, recipePath, plainPath, int.Parse(Arg("--fresh", "1"), CultureInfo.InvariantCulture));
        }

        return 0;
    }

    // The in-process ratio favours the plain run: it runs third, with the code the tuning run compiled. Here each run
    // has a fresh process (JIT, ONNX Runtime's start-up and all), as a cold `dotnet build` gives it: plain, then tuning.
    private static void FreshPairs(string dir, string recipePath, string plainPath, int pairs)
    {
        var ratios = new List<double>();
        for (var i = 1; i <= pairs; i++)
        {
            var (plainMs, plainCpuMs) = FreshRun(plainPath, Path.Combine(dir, $"fresh-plain-{i}"), "-");
            var (tuneMs, tuneCpuMs) = FreshRun(recipePath, Path.Combine(dir, $"fresh-tune-{i}"), Path.Combine(dir, $"fresh-cache-{i}"));
            ratios.Add(tuneMs / plainMs);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"- fresh processes, pair {i}: plain run {plainMs / 1000:0.0} s (CPU {plainCpuMs / 1000:0.0} s), tuning run with an empty cache {tuneMs / 1000:0.0} s (CPU {tuneCpuMs / 1000:0.0} s); ratio {tuneMs / plainMs:0.00}× (CPU {tuneCpuMs / plainCpuMs:0.00}×)"));
        }

        if (pairs > 1)
        {
            ratios.Sort();
            var median = pairs % 2 == 1 ? ratios[pairs / 2] : (ratios[(pairs / 2) - 1] + ratios[pairs / 2]) / 2;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"- fresh processes: median ratio over {pairs} pairs {median:0.00}× (range {ratios[0]:0.00}–{ratios[^1]:0.00}×)"));
        }
    }

    // This benchmark's own program with --run-once: the engine's wall and CPU time as that process measured them.
    private static (double Ms, double CpuMs) FreshRun(string recipePath, string output, string cache)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(TuneBench).Assembly.Location);
        }

        foreach (var a in new[] { "tune", "--run-once", recipePath, output, cache })
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {self}");
        var errors = process.StandardError.ReadToEndAsync();
        var lines = process.StandardOutput.ReadToEnd().Split('\n');
        process.WaitForExit();
        var line = lines.LastOrDefault(l => l.StartsWith("run-once ", StringComparison.Ordinal));
        if (process.ExitCode != 0 || line is null)
        {
            throw new InvalidOperationException($"the fresh run of {recipePath} exited {process.ExitCode}: {errors.Result}");
        }

        var parts = line.Split(' ');
        return (double.Parse(parts[1], CultureInfo.InvariantCulture), double.Parse(parts[2], CultureInfo.InvariantCulture));
    }

    private static string Candidates(string spec) => spec.Length == 0 ? string.Empty
        : "      candidates:\n" + string.Concat(spec.Split('|').Select(c =>
            "        - [ " + string.Join(", ", c.Split(';').Select(s => s.Trim())) + " ]\n"));

    // Wall clock and process CPU time (all threads: on a loaded machine a steadier measure than the wall clock).
    private static (CompressResult Result, double Ms, double CpuMs) Compress(string recipePath, string output, string? cache)
    {
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var report = new RecipeReportSink();
        var recipe = RecipeLoader.Load(recipePath, new RecipeLoadOptions(), report) ?? throw new InvalidOperationException(string.Join("\n", report.Items));
        var clock = Stopwatch.StartNew();
        var result = ModelCompressEngine.Compress(recipe, new CompressOptions(output) { CacheDirectory = cache }, report, CancellationToken.None);
        foreach (var d in report.Items.Where(d => d.Code is "MC3700" or "MC3701"))
        {
            Console.Error.WriteLine(d.ToCanonicalString());
        }

        var wall = clock.Elapsed.TotalMilliseconds;
        process.Refresh();
        return (result, wall, (process.TotalProcessorTime - cpu).TotalMilliseconds);
    }

    private static string Recipe(string model, string body, int calibration, int verify, string thresholds)
    {
        var bounds = string.Concat(thresholds.Split(';').Select(t => t.Trim().Split(':')).Select(p =>
            $"        - {{ metric: {p[0]}, {p[1]}: {p[2]} }}\n"));
        if (model == "mnist-8")
        {
            var images = Fixtures.Require("data/mnist/t10k-images-idx3-ubyte.gz");
            return $"version: 1\nallow_outside: true\nmodels:\n  - name: {model}\n    source: {Fixtures.Require("models/mnist-8.onnx")}\n"
                + $"    calibration: {{ data: {images}, samples: {calibration} }}\n{body}\n    verify:\n      data: {images}\n"
                + $"      labels: {Fixtures.Require("data/mnist/t10k-labels-idx1-ubyte.gz")}\n      samples: {verify}\n      per_layer: false\n      thresholds:\n{bounds}";
        }

        if (model == "ppocrv4-rec")
        {
            return $"version: 1\nallow_outside: true\nmodels:\n  - name: {model}\n    source: {Fixtures.Require("models/ppocrv4/ch_PP-OCRv4_rec_infer.onnx")}\n"
                + $"    calibration: {{ data: calib.npy, samples: {calibration} }}\n{body}\n"
                + $"    verify:\n      data: verify.npy\n      samples: {verify}\n      per_layer: false\n      thresholds:\n{bounds}";
        }

        if (model == "stories260K")
        {
            var text = Fixtures.Require("data/tinyshakespeare/input.txt");
            var tok = Fixtures.Require("models/stories260K/tok512.bin");
            return $"version: 1\nallow_outside: true\nmodels:\n  - name: {model}\n    source: stories260K.onnx\n"
                + $"    calibration: {{ data: {text}, tokenizer: {tok}, seq_len: 256, samples: {calibration} }}\n{body}\n"
                + $"    verify:\n      data: {text}\n      samples: {verify}\n      per_layer: false\n      thresholds:\n{bounds}";
        }

        return $"version: 1\nallow_outside: true\nmodels:\n  - name: {model}\n    source: {Fixtures.Require("models/char-gpt/char-gpt-6l384.onnx")}\n"
            + $"    calibration: {{ data: {Fixtures.Require("data/wikitext-2/valid.txt")}, tokenizer: bytes, seq_len: 128, samples: {calibration} }}\n{body}\n"
            + $"    verify:\n      data: {Fixtures.Require("data/wikitext-2/test.txt")}\n      tokenizer: bytes\n      seq_len: 128\n      samples: {verify}\n"
            + $"      per_layer: false\n      thresholds:\n{bounds}";
    }

    private sealed class RecipeReportSink : IDiagnosticSink
    {
        public List<Diagnostic> Items { get; } = [];

        public void Report(Diagnostic diagnostic) => Items.Add(diagnostic);
    }
}
