using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace ModelCompress.Benchmarks;

/// <summary>
/// <c>eval [--quick] [--models a,b] [--peer-dir DIR] [--work-dir DIR] [--threads N] [--latency-rounds N] [--no-weight-only] [--variants a,b] [--suite int8|pruning|obs|structured|conv|conv-prune]</c>:
/// accuracy, size and ONNX Runtime latency of fp32 vs our int8 variants (made by the engine from recipes this command
/// writes) vs the peer's models (ORT's Python quantizer, tools/ort_peer.py), on the real fixtures, one Markdown table
/// per fixture. Models: char-gpt, stories260K, mnist-8, ppocrv4-rec. Wrapped by build/eval.sh.
/// </summary>
internal sealed class EvalCommand : IBenchCommand
{
    public string Name => "eval";

    public string Description => "fp32 vs our int8 (engine) vs peer: accuracy, size, ORT latency on the fixtures";

    public int Run(string[] args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(Usage);
            return 0;
        }

        var options = EvalOptions.Parse(args, out var error);
        if (options is null)
        {
            Console.Error.WriteLine($"eval: {error}");
            Console.Error.WriteLine(Usage);
            return 2;
        }

        EvalNumpyRandom.SelfCheck();
        var temporary = options.WorkDir is null;
        var workDir = options.WorkDir ?? Path.Combine(Path.GetTempPath(), "modelcompress-eval-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(workDir);
        var context = new EvalContext(options, workDir, Console.Out);
        try
        {
            Header(options, workDir, temporary);
            IEvalFixture[] fixtures = [new EvalCharGpt(), new EvalStories(), new EvalMnist(), new EvalOcr(), new EvalOcrCls()];
            foreach (var fixture in fixtures.Where(f => options.Includes(f.Name)))
            {
                var sw = System.Diagnostics.Stopwatch.StartNew();
                fixture.Run(context);
                EvalContext.Progress($"{fixture.Name} done in {sw.Elapsed.TotalMinutes:F1} min");
            }

            context.Targets.Print(Console.Out, options.Quick);

            return 0;
        }
        finally
        {
            if (temporary)
            {
                Directory.Delete(workDir, recursive: true);
            }
        }
    }

    private static void Header(EvalOptions options, string workDir, bool temporary)
    {
        Console.WriteLine($"## Evaluation ({(options.Quick ? "--quick: data subsets, not the reference numbers" : "full")})");
        Console.WriteLine();
        Console.WriteLine($"- machine: {CpuName()}, {Environment.ProcessorCount} logical cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture}");
        Console.WriteLine($"- ONNX Runtime {OrtEnv.Instance().GetVersionString()} (managed, CPU provider), .NET {Environment.Version}");
        Console.WriteLine($"- accuracy passes: {options.EvalThreads} intra-op thread(s); latency: batch 1, median of {options.LatencyRounds} interleaved rounds after 3 warm-up rounds");
        Console.WriteLine($"- peer models: {options.PeerDir ?? "(none: pass --peer-dir)"}");
        Console.WriteLine($"- work folder: {workDir}{(temporary ? " (removed at the end)" : string.Empty)}");
        Console.WriteLine();
    }

    private static string CpuName()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? "unknown CPU" : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException)
        {
            return "unknown CPU";
        }
    }

    private const string Usage = """
        usage: eval [--quick] [--models char-gpt,stories260K,mnist-8,ppocrv4-rec] [--peer-dir DIR]
                    [--work-dir DIR] [--threads N] [--latency-rounds N] [--no-weight-only] [--variants a,b] [--suite int8|pruning|obs|structured|conv|conv-prune]
          --quick            data subsets and 8 latency rounds (a smoke run; numbers are not the reference ones)
          --models           which fixtures (default: all)
          --peer-dir         folder written by tools/ort_peer.py: adds the peer's models as columns
          --work-dir         keep recipes, calibration files and compressed models there (default: temp, removed)
          --threads          intra-op threads for the accuracy passes (default 2)
          --latency-rounds   timed rounds per model and thread count (default 40)
          --no-weight-only   leave out the weight-only int8 column
          --variants a,b     only our variants with these slugs (w8, dyn, minmax, sq05, sqauto, and the
                             optional sqauto-h1, sq05-h2; fp32 always)
          --suite            int8 (default): the quantization columns; pruning: magnitude, Wanda and PST at 50 % and 2:4,
                             each also followed by SmoothQuant int8; obs: int4 RTN/GPTQ, SparseGPT and magnitude;
                             structured: structured pruning 25 % (activation, weight importance), SQ int8, and both
                             conv-prune: magnitude, Wanda, SparseGPT at 50 % and 2:4 on conv nets (Conv kernels on
                             their input patches), and magnitude with and without layer-wise distillation
        """;
}
