using ModelCompress.Fuzz;
using ModelCompress.Testing;

namespace ModelCompress.Tests.Reliability;

/// <summary>
/// The fuzzing harness in CI: every input a fuzzer ever crashed a reader with (minimized, committed under
/// tests/ModelCompress.Fuzz/FuzzRegressions/TARGET/) must now get a coded error or be accepted, and a short seeded
/// mutation run per target must find no crash or hang. Long, coverage-guided runs are <c>build/fuzz.sh</c>.
/// </summary>
public sealed class FuzzRegressionTests
{
    public static TheoryData<string, string> RegressionFiles()
    {
        var data = new TheoryData<string, string>();
        var root = Path.Combine(FuzzSeeds.HarnessDirectory, "FuzzRegressions");
        foreach (var dir in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            foreach (var file in Directory.GetFiles(dir).Order(StringComparer.Ordinal))
            {
                data.Add(Path.GetFileName(dir), Path.GetFileName(file));
            }
        }

        return data;
    }

    public static TheoryData<string> TargetNames() => [.. FuzzTargets.All.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(RegressionFiles))]
    public void A_committed_crash_input_now_gets_a_coded_error_or_is_accepted(string target, string file)
    {
        using var scratch = new TempDirectory();
        var input = File.ReadAllBytes(Path.Combine(FuzzSeeds.HarnessDirectory, "FuzzRegressions", target, file));

        var run = FuzzExecution.Run(FuzzTargets.Get(target), input, scratch.File("s"), TimeSpan.FromSeconds(20));

        Assert.True(run.Result is FuzzResult.Coded or FuzzResult.Accepted, $"{target}/{file}: {run.Result} {run.Signature}\n{run.Error}");
    }

    [Theory]
    [MemberData(nameof(TargetNames))]
    public void A_short_seeded_mutation_run_finds_no_crash_and_reaches_coded_errors(string target)
    {
        using var output = new TempDirectory();
        var loop = new FuzzLoop(FuzzTargets.Get(target), output.FullPath, TimeSpan.FromSeconds(20), _ => { });

        var stats = loop.Run(TimeSpan.FromSeconds(2), seed: 7);

        Assert.Empty(stats.Crashes);
        Assert.Equal(0, stats.Hangs);
        Assert.True(stats.Executions >= 10, stats.ToString()); // a loaded CI machine runs the slowest target at ~15/s
        Assert.True(stats.Coded > 0, "the mutations never produced an input the reader refused: " + stats);
        Assert.True(stats.Accepted > 0, "not even the seeds were accepted: " + stats);
    }
}
