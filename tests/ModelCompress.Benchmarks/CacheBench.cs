using System.Diagnostics;
using System.Globalization;
using ModelCompress.Engine;
using ModelCompress.Reports;

namespace ModelCompress.Benchmarks;

/// <summary>
/// Wall time of engine runs with the per-layer cache on a real model: a full run on an empty cache, a run without
/// cache, and the four cache scenarios — (a) nothing changed, (b) a late layer's weight changed, (c) an early layer's
/// weight changed, (d) only the verification thresholds changed — as medians and as ratios to the full run.
/// Usage: <c>cache [--model char-gpt|stories] [--repeat 3] [--steps "smoothquant: { alpha: auto }; quantize: { mode: static }"]
/// [--calibration 16] [--verify 16]</c>; <c>--steps</c> takes recipe steps separated by ';'.
/// </summary>
internal sealed class CacheBench : IBenchCommand
{
    /// <summary>The most expensive pass the engine has: SmoothQuant's α search, then static int8 QDQ.</summary>
    private const string DefaultSteps = "smoothquant: { alpha: auto }; quantize: { mode: static }";

    public string Name => "cache";

    public string Description => "per-layer cache: full run vs changed-layer runs vs no-change run (char-gpt)";

    public int Run(string[] args)
    {
        var (p, steps, repeat) = CacheBenchProject.FromArguments(args, DefaultSteps);
        using var project = p;

        // JIT, ONNX Runtime start-up and the cache code paths are warmed outside the measurements (own cache folder).
        p.Compress("warmup", useCache: false);
        p.Compress("warmup");
        p.Compress("warmup");
        Clear(p.CacheDir);
        // Round-robin: each repetition runs every scenario once, in order, so a change of machine load spreads over all
        // rows instead of skewing one. Within a round each scenario starts from the cache the previous one left.
        var scenarios = new List<(string Name, Action<int> Prepare, Func<CompressResult> Run)>
        {
            ("full run, empty cache", _ => Clear(p.CacheDir), () => p.Compress("full")),
            ("no cache at all", _ => { }, () => p.Compress("nocache", useCache: false)),
            ("(a) nothing changed", _ => { }, () => p.Compress("a")),
            ("(b) late layer changed", k => p.ScaleWeight(p.LateLayer, 1 + (0.001f * (k + 1))), () => p.Compress("b")),
            ("(c) early layer changed", k => p.ScaleWeight(p.EarlyLayer, 1 - (0.001f * (k + 1))), () => p.Compress("c")),
            ("(d) thresholds changed",
                k => p.WriteRecipe(string.Create(CultureInfo.InvariantCulture, $"        - {{ metric: top1_agreement, min: {0.4 + (0.01 * k)} }}")),
                () => p.Compress("d")),
        };
        var rows = scenarios.Select(s => (Scenario: s.Name, Samples: new List<Sample>())).ToList();
        for (var k = 0; k < repeat; k++)
        {
            for (var i = 0; i < scenarios.Count; i++)
            {
                rows[i].Samples.Add(Measure(k, scenarios[i].Prepare, scenarios[i].Run));
            }
        }

        Print(p, steps, repeat, rows);
        return 0;
    }

    private sealed record Sample(double WallMs, ModelTimings Timings, ModelCacheTimings? Cache);

    /// <summary>Runs <paramref name="prepare"/> (untimed: edits, clearing), then times <paramref name="run"/>.</summary>
    private static Sample Measure(int k, Action<int> prepare, Func<CompressResult> run)
    {
        prepare(k);
        var sw = Stopwatch.StartNew();
        var result = run();
        var wall = sw.Elapsed.TotalMilliseconds;
        var timings = result.Report.Timings.Models[0];
        return new Sample(wall, timings, timings.Cache);
    }

    private static void Print(CacheBenchProject p, string steps, int repeat, List<(string Scenario, List<Sample> Samples)> rows)
    {
        static double Median(IEnumerable<double> xs)
        {
            var s = xs.Order().ToList();
            return s.Count % 2 == 1 ? s[s.Count / 2] : (s[(s.Count / 2) - 1] + s[s.Count / 2]) / 2;
        }

        static string F(double v) => v.ToString("F0", CultureInfo.InvariantCulture);
        var full = Median(rows[0].Samples.Select(s => s.WallMs));
        Console.WriteLine($"### Per-layer cache: {p.Description}; steps: {steps}; median of {repeat} rounds");
        Console.WriteLine();
        Console.WriteLine("| scenario | wall ms | / full | layers hit/computed | calibration hit/run | load ms | steps ms | of which calibration ms | of which layers ms | verify ms | other ms | wall − verify ms | saved ms |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var measured = new Dictionary<string, (double Wall, double Verify)>();
        foreach (var (scenario, samples) in rows)
        {
            var wall = Median(samples.Select(s => s.WallMs));
            var verify = Median(samples.Select(s => s.Timings.VerifyMilliseconds));
            var stepMs = Median(samples.Select(s => s.Timings.StepMilliseconds.Sum()));
            var loadMs = Median(samples.Select(s => s.Timings.LoadMilliseconds));
            double KindMs(string kind) => samples[0].Cache is null ? double.NaN : Median(samples.Select(s => s.Cache!.Lookups.Where(l => l.Kind == kind).Sum(l => l.Milliseconds)));
            var calibrationMs = KindMs("calibration");
            var layerMs = KindMs("layer");
            var otherMs = Median(samples.Select(s => s.WallMs - s.Timings.LoadMilliseconds - s.Timings.StepMilliseconds.Sum() - s.Timings.VerifyMilliseconds));
            var last = samples[^1].Cache;
            var layers = last is null ? "—" : $"{last.LayerHits}/{last.LayerMisses}";
            var calib = last is null || last.CalibrationHits + last.CalibrationMisses == 0 ? "—" : $"{last.CalibrationHits}/{last.CalibrationMisses}";
            var saved = last is null ? "—" : F(Median(samples.Select(s => s.Cache!.SavedMilliseconds)));
            measured[scenario] = (wall, verify);
            string Opt(double v) => double.IsNaN(v) ? "—" : F(v);
            Console.WriteLine($"| {scenario} | {F(wall)} | {(wall / full).ToString("P0", CultureInfo.InvariantCulture)} | {layers} | {calib} | {F(loadMs)} | {F(stepMs)} | {Opt(calibrationMs)} | {Opt(layerMs)} | {F(verify)} | {F(otherMs)} | {F(wall - verify)} | {saved} |");
        }

        var b = measured["(b) late layer changed"].Wall / full;
        var a = measured["(a) nothing changed"];
        Console.WriteLine();
        Console.WriteLine($"- (b) / full = {b.ToString("P1", CultureInfo.InvariantCulture)} (target ≤ 15%: {(b <= 0.15 ? "met" : "NOT met")}).");
        Console.WriteLine($"- (a) wall − verify = {F(a.Wall - a.Verify)} ms (target < 500 ms beyond verification: {(a.Wall - a.Verify < 500 ? "met" : "NOT met")}).");
        Console.WriteLine("- 'layers hit/computed' and 'calibration hit/run' are from the last repetition. 'steps ms' is the recipe steps' time; among it,");
        Console.WriteLine("  'calibration' and 'layers' are the cache look-ups of each kind (a read, or the computation plus the write); the rest of a step is");
        Console.WriteLine("  finding the layers, hashing their keys and applying the results. 'other' is recipe loading, serializing and staging the");
        Console.WriteLine("  output and writing the reports.");
        Console.WriteLine("- The wall time includes recipe and model loading, serializing and staging the output, verification and the report.");
    }

    private static void Clear(string dir)
    {
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
