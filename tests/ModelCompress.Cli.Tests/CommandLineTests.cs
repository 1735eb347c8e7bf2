namespace ModelCompress.Cli.Tests;

public sealed class CommandLineTests
{
    [Fact]
    public async Task Help_lists_every_verb_and_every_exit_code_with_its_number()
    {
        var r = await CliResult.Invoke("--help");

        Assert.Equal(ExitCode.Success, r.Code);
        foreach (var verb in new[] { "run", "verify", "inspect", "init" })
        {
            Assert.Contains("  " + verb, r.Stdout, StringComparison.Ordinal);
        }

        foreach (var code in Enum.GetValues<ExitCode>())
        {
            Assert.Contains($"  {(int)code}  {code}", r.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Exit_codes_keep_their_numbers()
    {
        Assert.Equal(
            [(0, "Success"), (1, "InternalError"), (2, "UsageError"), (3, "InvalidRecipe"), (4, "InvalidModel"),
             (5, "CompressionFailed"), (6, "AccuracyBudgetExceeded"), (7, "Cancelled")],
            Enum.GetValues<ExitCode>().Select(c => ((int)c, c.ToString())));
    }

    [Theory]
    [InlineData("compress", "x.yaml")]
    [InlineData("run")]
    [InlineData("run", "x.yaml", "--no-such-option")]
    [InlineData("inspect", "m.onnx", "--format", "xml")]
    [InlineData("run", "x.yaml", "--fail-on-regression", "maybe")]
    public async Task A_wrong_command_line_is_a_usage_error_on_stderr(params string[] args)
    {
        var r = await CliResult.Invoke(args);

        Assert.Equal(ExitCode.UsageError, r.Code);
        Assert.StartsWith("error: ", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, r.Stdout);
    }

    [Fact]
    public async Task The_full_command_line_runs_a_recipe()
    {
        using var p = new CliProject();

        var r = await CliResult.Invoke("run", p.Recipe, "--output", p.PathOf("o"), "--fail-on-regression", "true",
            "--manifest", p.PathOf("m.txt"), "--depfile", p.PathOf("d.txt"), "--project-dir", p.PathOf("."), "--cache-dir", p.PathOf("cache"));

        Assert.Equal(ExitCode.Success, r.Code);
        Assert.Equal(string.Empty, r.Stderr);
        Assert.True(File.Exists(p.PathOf("o/mlp.onnx")));
        Assert.True(File.Exists(p.PathOf("m.txt")));
        Assert.NotEmpty(Directory.GetFiles(p.PathOf("cache"), "*.mce", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Without_output_the_recipe_default_folder_is_used()
    {
        using var p = new CliProject();

        var r = await CliResult.Invoke("run", p.Recipe);

        Assert.Equal(ExitCode.Success, r.Code);
        Assert.True(File.Exists(p.PathOf("compressed/mlp.onnx")));
    }

    [Fact]
    public void An_unexpected_exception_is_an_internal_error_with_MC9301()
    {
        using var stderr = new StringWriter();

        var code = CliErrors.Handle(new InvalidOperationException("boom"), stderr);

        Assert.Equal(ExitCode.InternalError, code);
        Assert.StartsWith("error MC9301: Internal error: InvalidOperationException: boom", stderr.ToString(), StringComparison.Ordinal);
    }
}
