using System.Diagnostics;
using System.Text.Json;

namespace ModelCompress.Cli.Tests;

/// <summary>
/// The fast CI variant of build/faults/kill-test.sh and cancel-test.sh: the real tool, killed with SIGKILL at spread-out
/// moments of a calibrated run with a cache, must never leave a file under a final name that differs from a clean
/// run's (reports: whole), and a later run over the cache it left must write the clean run's bytes; Ctrl+C must stop
/// a run promptly (5 s on a shared machine; the script measures the 2 s target) with exit code 7 and nothing under a
/// final name.
/// </summary>
[Collection(nameof(KillAndCancelTests))]
public sealed class KillAndCancelTests
{
    private const string Steps = "      - smoothquant: { alpha: 0.5 }\n      - quantize: { mode: static }";

    private static CliProject NewProject(int hiddenSize = 64, int samples = 16)
    {
        var p = new CliProject(Steps, "        - { metric: cosine, min: 0.99 }", hiddenSize, samples);
        File.WriteAllText(p.Recipe, File.ReadAllText(p.Recipe).Replace("    steps:", "    calibration: { data: verify.npz }\n    steps:", StringComparison.Ordinal));
        return p;
    }

    private static string[] RunArgs(CliProject p, string output, bool cache) =>
        [.. new[] { "run", p.Recipe, "-o", output, "--manifest", Path.Combine(output, "outputs.manifest") }.Concat(cache ? ["--cache-dir", p.PathOf("cache")] : [])];

    private static void AssertOnlyCleanFiles(string output, string clean)
    {
        if (!Directory.Exists(output))
        {
            return;
        }

        foreach (var file in Directory.GetFiles(output).Where(f => !f.EndsWith(".mctmp", StringComparison.Ordinal)))
        {
            var name = Path.GetFileName(file);
            switch (name)
            {
                case "report.json":
                    using (JsonDocument.Parse(File.ReadAllBytes(file)))
                    {
                    }

                    break;
                case "report.html":
                    Assert.EndsWith("</html>", File.ReadAllText(file).TrimEnd(), StringComparison.Ordinal);
                    break;
                case "outputs.manifest":
                    Assert.Equal(File.ReadAllText(Path.Combine(clean, name)).Replace(clean, "OUT", StringComparison.Ordinal), File.ReadAllText(file).Replace(output, "OUT", StringComparison.Ordinal));
                    break;
                default:
                    Assert.Equal(File.ReadAllBytes(Path.Combine(clean, name)), File.ReadAllBytes(file));
                    break;
            }
        }
    }

    [Fact]
    public void Killed_runs_leave_no_damaged_output_and_no_cache_entry_a_later_run_trusts_wrongly()
    {
        using var p = NewProject();
        var clean = p.PathOf("clean");
        var clock = Stopwatch.StartNew();
        Assert.Equal(0, ToolProcess.Run(RunArgs(p, clean, cache: false)));
        var cleanTime = clock.Elapsed;
        var output = p.PathOf("out");

        for (var i = 0; i < 5; i++)
        {
            using (var tool = ToolProcess.Start(RunArgs(p, output, cache: true)))
            {
                Thread.Sleep(cleanTime * ((i + 0.5) / 5));
                tool.Kill();
                tool.WaitForExit(TimeSpan.FromSeconds(30));
            }

            AssertOnlyCleanFiles(output, clean);
        }

        Directory.Delete(output, true);
        Assert.Equal(0, ToolProcess.Run(RunArgs(p, output, cache: true)));
        Assert.Equal(File.ReadAllBytes(Path.Combine(clean, "mlp.onnx")), File.ReadAllBytes(Path.Combine(output, "mlp.onnx")));
        AssertOnlyCleanFiles(output, clean);
    }

    [Fact]
    public void Ctrl_C_stops_a_run_promptly_with_exit_code_7_and_no_final_file()
    {
        // A wider MLP with more calibration and verification samples: its run has a working stretch of a second or more
        // for the signal to land in (the small project's work can end within the process's start-up jitter).
        using var p = NewProject(hiddenSize: 256, samples: 2048);
        var clock = Stopwatch.StartNew();
        Assert.Equal(0, ToolProcess.Run(RunArgs(p, p.PathOf("clean"), cache: false)));
        var cleanTime = clock.Elapsed;
        var output = p.PathOf("out");

        // Earlier each time, until a signal lands while the run is still working (a run that finished first exits 0; one
        // still starting exits 130). Steps of √2 over 0.7 … 0.03 of the clean run's time.
        var cancelled = false;
        var tries = new List<string>();
        for (var fraction = 0.7; fraction > 0.03 && !cancelled; fraction /= Math.Sqrt(2))
        {
            using var tool = ToolProcess.Start(RunArgs(p, output, cache: false));
            Thread.Sleep(cleanTime * fraction);
            var sent = Stopwatch.StartNew();
            tool.Interrupt();
            var code = tool.WaitForExit(TimeSpan.FromSeconds(30));
            var took = sent.Elapsed;
            tries.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{fraction:F3}: exit {code} after {took.TotalSeconds:F2} s"));

            // 130 is the runtime's own exit on SIGINT: the signal landed outside the tool's handler — while the process
            // was still starting (nothing can have been written yet) or, on a loaded machine, after the run had finished
            // and the handler was gone (the finished run's outputs: the clean run's files, the same bytes).
            // Either way nothing partial: the check below holds it to one of the two.
            Assert.True(code is 7 or 0 or 130, $"exit code {code}");
            if (code == 130)
            {
                var left = Directory.Exists(output) ? Directory.GetFiles(output, "*", SearchOption.AllDirectories) : [];
                if (left.Length > 0)
                {
                    Assert.Equal(Names(p.PathOf("clean")), Names(output));
                    AssertOnlyCleanFiles(output, p.PathOf("clean"));
                }
            }

            // The 2 s target is measured by build/faults/cancel-test.sh; here, on a shared CI machine where starting kill(1)
            // and tearing the process down can take seconds by themselves, a stop within 5 s is required.
            Assert.True(took < TimeSpan.FromSeconds(5), $"took {took.TotalSeconds:F2} s to stop");
            cancelled = code == 7;
            if (cancelled)
            {
                Assert.Empty(Directory.Exists(output) ? Directory.GetFiles(output) : []);
            }
            else if (Directory.Exists(output))
            {
                // A run that finished before the signal wrote its outputs; the next, earlier try starts from nothing,
                // so that what it leaves is its own.
                Directory.Delete(output, true);
            }
        }

        Assert.True(cancelled, $"no signal landed while the run was working (clean run {cleanTime.TotalSeconds:F2} s; {string.Join("; ", tries)})");
    }

    private static string[] Names(string folder) =>
        [.. Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder, f)).Order(StringComparer.Ordinal)];
}
