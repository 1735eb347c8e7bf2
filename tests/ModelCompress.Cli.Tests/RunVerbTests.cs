using ModelCompress.Engine;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Recipe;

namespace ModelCompress.Cli.Tests;

public sealed class RunVerbTests
{
    private static Task<CliResult> Run(CliProject p, bool? failOnRegression = null, CancellationToken ct = default) =>
        CliResult.Of((o, e) => RunCommand.RunAsync(
            new RunCommand.Options(p.Recipe, p.PathOf("out"), FailOnRegression: failOnRegression, Manifest: p.PathOf("out.manifest"), DepFile: p.PathOf("out.d")),
            o, e, ct));

    [Fact]
    public async Task A_good_recipe_exits_0_prints_results_on_stdout_and_nothing_on_stderr()
    {
        using var p = new CliProject();

        var r = await Run(p);

        Assert.Equal(ExitCode.Success, r.Code);
        Assert.Equal(string.Empty, r.Stderr);
        Assert.Contains("mlp: ", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("wrote " + p.PathOf("out/mlp.onnx"), r.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain('\r', r.Stdout); // redirected output gets plain lines, no live progress
        Assert.Equal([p.PathOf("out/mlp.onnx"), p.PathOf("out/report.html"), p.PathOf("out/report.json")], File.ReadAllLines(p.PathOf("out.manifest")));
        Assert.True(File.Exists(p.PathOf("out.d")));
    }

    [Fact]
    public async Task The_cli_writes_the_same_bytes_as_a_direct_engine_call()
    {
        using var p = new CliProject();
        await Run(p);
        var recipe = RecipeLoader.Load(p.Recipe, RecipeLoadOptions.Default, new ListDiagnosticSink())!;

        ModelCompressEngine.Compress(recipe, new CompressOptions(p.PathOf("direct")), new ListDiagnosticSink(), CancellationToken.None);

        Assert.Equal(File.ReadAllBytes(p.PathOf("direct/mlp.onnx")), File.ReadAllBytes(p.PathOf("out/mlp.onnx")));
    }

    [Fact]
    public async Task An_invalid_recipe_exits_3_with_canonical_error_lines()
    {
        using var p = new CliProject(steps: "      - quantize: { mode: weight_only, colour: blue }");

        var r = await Run(p);

        Assert.Equal(ExitCode.InvalidRecipe, r.Code);
        var line = Assert.Single(r.StderrLines);
        Assert.Matches(@"^" + System.Text.RegularExpressions.Regex.Escape(p.Recipe) + @"\(6,\d+\): error MC2004: Unknown key 'colour'", line);
        Assert.False(File.Exists(p.PathOf("out.manifest")));
    }

    [Fact]
    public async Task A_missing_recipe_exits_3_with_MC2001()
    {
        using var p = new CliProject();

        var r = await CliResult.Of((o, e) => RunCommand.RunAsync(new RunCommand.Options(p.PathOf("nope.yaml")), o, e, default));

        Assert.Equal(ExitCode.InvalidRecipe, r.Code);
        Assert.Contains("error MC2001:", Assert.Single(r.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_corrupt_model_exits_4_with_one_MC1xxx_line_and_no_stack_trace()
    {
        using var p = new CliProject();
        File.WriteAllBytes(p.PathOf("models/model.onnx"), [0x08, 0x07, 0xFF, 0xFF, 0xFF]);

        var r = await Run(p);

        Assert.Equal(ExitCode.InvalidModel, r.Code);
        var line = Assert.Single(r.StderrLines);
        Assert.Matches(@": error MC1\d{3}: ", line);
    }

    [Fact]
    public async Task Unreadable_calibration_data_exits_5_with_one_MC3xxx_line()
    {
        using var p = new CliProject(steps: "      - quantize: { mode: static }\n    calibration: { data: calib.npz, samples: 4 }");
        File.WriteAllBytes(p.PathOf("calib.npz"), [0x50, 0x4B, 0x03, 0x04, 0xFF, 0xFF]);

        var r = await Run(p);

        Assert.Equal(ExitCode.CompressionFailed, r.Code);
        Assert.Matches(@"calib\.npz: error MC3003: The data file '.*calib\.npz' could not be read: ", Assert.Single(r.StderrLines));
    }

    [Fact]
    public async Task An_accuracy_regression_exits_6_unless_fail_on_regression_is_false()
    {
        using var p = new CliProject(thresholds: "        - { metric: max_abs_error, max: 0 }");

        var failing = await Run(p);
        var lenient = await Run(p, failOnRegression: false);

        Assert.Equal(ExitCode.AccuracyBudgetExceeded, failing.Code);
        Assert.StartsWith(p.Recipe + "(10,11): error MC5001: Accuracy budget exceeded for model 'mlp': max_abs_error is ", Assert.Single(failing.StderrLines), StringComparison.Ordinal);
        Assert.Equal(ExitCode.Success, lenient.Code);
        Assert.Contains("warning MC5001", lenient.Stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(p.PathOf("out.manifest")));
    }

    [Fact]
    public async Task A_cancelled_run_exits_7_and_leaves_no_manifest_or_outputs()
    {
        using var p = new CliProject();
        File.WriteAllText(p.PathOf("out.manifest"), "stale\n");
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        var r = await Run(p, ct: cts.Token);

        Assert.Equal(ExitCode.Cancelled, r.Code);
        Assert.Contains("Cancelled", Assert.Single(r.StderrLines), StringComparison.Ordinal);
        Assert.False(File.Exists(p.PathOf("out.manifest")));
        Assert.False(File.Exists(p.PathOf("out/mlp.onnx")));
    }

    [Fact]
    public async Task Verify_after_run_exits_0_and_before_run_exits_5_with_MC5002()
    {
        using var p = new CliProject();
        Task<CliResult> Verify() => CliResult.Of((o, e) => VerifyCommand.RunAsync(new VerifyCommand.Options(p.Recipe, p.PathOf("out")), o, e, default));

        var before = await Verify();
        await Run(p);
        var after = await Verify();

        Assert.Equal(ExitCode.CompressionFailed, before.Code);
        Assert.Contains("error MC5002", before.Stderr, StringComparison.Ordinal);
        Assert.Equal(ExitCode.Success, after.Code);
        Assert.StartsWith("mlp: verify on 16 samples", after.Stdout, StringComparison.Ordinal);
    }
}
