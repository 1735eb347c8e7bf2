using System.Diagnostics;
using System.Globalization;
using Azure.Storage.Blobs;
using ModelCompress.Cache;
using ModelCompress.Engine;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Testing;

namespace ModelCompress.Benchmarks;

/// <summary>
/// The two-machine remote cache scenario against Azurite: machine A (empty local folder) compresses the model and
/// uploads; machine B (another empty local folder, same container) should read every layer and calibration result
/// from the store, write identical bytes, and take a fraction of A's wall time. A run without any cache is the
/// reference for the bytes and for A's overhead. Each repetition uses a fresh container and fresh local folders.
/// Usage: <c>remote-cache [--model char-gpt|stories] [--repeat 3] [--steps "…; …"] [--calibration 16] [--verify 16]</c>.
/// </summary>
internal sealed class RemoteCacheBench : IBenchCommand
{
    private const string DefaultSteps = "smoothquant: { alpha: auto }; quantize: { mode: static }";

    public string Name => "remote-cache";

    public string Description => "remote cache (Azurite): machine A fills it, machine B with an empty local folder reads it (char-gpt)";

    public int Run(string[] args)
    {
        var (p, steps, repeat) = CacheBenchProject.FromArguments(args, DefaultSteps);
        using var project = p;
        using var azurite = new Azurite();
        var service = new BlobServiceClient(azurite.ConnectionString);
        RemoteCacheOptions Remote(string container) => new(azurite.ContainerUrl(container))
        {
            ReadEnvironment = n => n == RemoteCacheOptions.ConnectionStringVariable ? azurite.ConnectionString : null,
        };

        // Warm the JIT, ONNX Runtime and the SDK's HTTP stack outside the measurements.
        service.GetBlobContainerClient("warmup").Create();
        p.Compress("warmup-a", "warmup-cache-a", Remote("warmup"), new ListDiagnosticSink());
        p.Compress("warmup-b", "warmup-cache-b", Remote("warmup"), new ListDiagnosticSink());

        var none = new List<double>();
        var a = new List<double>();
        var b = new List<double>();
        var identical = true;
        var allRemote = true;
        string? counts = null;
        for (var k = 0; k < repeat; k++)
        {
            var container = "run" + k.ToString(CultureInfo.InvariantCulture);
            service.GetBlobContainerClient(container).Create();
            none.Add(Time(() => p.Compress("none" + k, useCache: false)).Ms);
            var (msA, _) = Time(() => p.Compress("a" + k, "cache-a" + k, Remote(container), new ListDiagnosticSink()));
            var sinkB = new ListDiagnosticSink();
            var (msB, runB) = Time(() => p.Compress("b" + k, "cache-b" + k, Remote(container), sinkB));
            a.Add(msA);
            b.Add(msB);
            var model = Directory.GetFiles(p.PathOf("none" + k), "*.onnx").Single();
            var name = Path.GetFileName(model);
            identical &= File.ReadAllBytes(model).SequenceEqual(File.ReadAllBytes(p.PathOf($"a{k}/{name}")))
                && File.ReadAllBytes(model).SequenceEqual(File.ReadAllBytes(p.PathOf($"b{k}/{name}")));
            var cache = runB.Report.Timings.Models[0].Cache!;
            var work = cache.Lookups.Where(l => l.Kind is "layer" or "calibration").ToList();
            allRemote &= work.All(l => l is { Hit: true, Remote: true }) && !sinkB.Items.Any(d => d.Code.StartsWith("MC6", StringComparison.Ordinal));
            counts = Invariant($"B: {cache.LayerHits} layer hits, {cache.LayerMisses} computed; calibration {cache.CalibrationHits} hits, {cache.CalibrationMisses} runs; {cache.RemoteHits} from the remote");
        }

        Console.WriteLine($"model: {p.Description}; steps: {steps}; {repeat} repetition(s), fresh container and local folders each");
        Console.WriteLine("| run | wall median (ms) | all runs (ms) | vs A |");
        Console.WriteLine("|---|---:|---:|---:|");
        Row("no cache at all", none, Median(a));
        Row("machine A: empty local folder, empty container (computes, uploads)", a, Median(a));
        Row("machine B: empty local folder, A's container (reads)", b, Median(a));
        Console.WriteLine(counts);
        Console.WriteLine($"identical model bytes (no cache, A, B): {identical}; every B layer/calibration look-up a remote hit, no MC6xxx: {allRemote}");
        Console.WriteLine(Invariant($"B / A = {Median(b) / Median(a):0.000} (target <= 0.20); A / no cache = {Median(a) / Median(none):0.000}"));
        return identical && allRemote ? 0 : 1;
    }

    private static (double Ms, CompressResult Result) Time(Func<CompressResult> run)
    {
        var sw = Stopwatch.StartNew();
        var result = run();
        return (sw.Elapsed.TotalMilliseconds, result);
    }

    private static void Row(string name, List<double> samples, double reference) =>
        Console.WriteLine(Invariant($"| {name} | {Median(samples):0} | {string.Join(", ", samples.Select(s => s.ToString("0", CultureInfo.InvariantCulture)))} | {Median(samples) / reference:0.000} |"));

    private static double Median(List<double> xs)
    {
        var s = xs.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[(s.Count / 2) - 1] + s[s.Count / 2]) / 2;
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
