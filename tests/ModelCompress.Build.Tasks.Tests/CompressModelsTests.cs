using ModelCompress.Build.TestInfrastructure;

namespace ModelCompress.Build.Tasks.Tests;

/// <summary>
/// The task against a shell test double of the tool (TestAssets/fake-model-compress.sh, run by /bin/sh in place of
/// dotnet), so every path through the task (validation, canonical lines, exit codes, manifest) is checked exactly.
/// </summary>
public sealed class CompressModelsTests : IDisposable
{
    private static readonly string FakeTool = Path.Combine(AppContext.BaseDirectory, "TestAssets", "fake-model-compress.sh");
    private readonly TempDir _dir = new();
    private readonly MockBuildEngine _engine = new();

    public void Dispose() => _dir.Dispose();

    private const string OneModel = "version: 1\nmodels:\n  - name: tiny\n    source: models/tiny.onnx\n";

    private CompressModels NewTask(string recipeText, string? tool = null)
    {
        _dir.Write("models/tiny.onnx", "not really onnx");
        var recipe = _dir.Write("compression.yaml", recipeText);
        return new CompressModels
        {
            BuildEngine = _engine,
            Recipe = recipe,
            OutputDirectory = _dir.Combine("obj", "mc", "compression"),
            ManifestFile = _dir.Combine("obj", "mc", "compression.manifest"),
            DepFile = _dir.Combine("obj", "mc", "compression.deps"),
            CacheDirectory = _dir.Combine("obj", "cache"),
            ProjectDirectory = _dir.Path,
            ToolAssembly = tool ?? FakeTool,
            DotNetHostPath = "/bin/sh",
        };
    }

    [Fact]
    public void A_successful_run_writes_outputs_and_the_manifest_and_logs_no_error()
    {
        var task = NewTask(OneModel + "# fake: stdout tiny: 15 B -> 15 B\n");

        Assert.True(task.Execute(), _engine.Describe());

        Assert.Empty(_engine.Errors);
        Assert.Equal(
            [Path.Combine(task.OutputDirectory, "report.json"), Path.Combine(task.OutputDirectory, "tiny.onnx")],
            File.ReadAllLines(task.ManifestFile));
        Assert.Contains(_engine.Messages, m => m.Message == "tiny: 15 B -> 15 B");
    }

    [Fact]
    public void Canonical_lines_become_coded_errors_and_warnings_at_the_recipe_position()
    {
        var task = NewTask(OneModel +
            "# fake: diag {recipe}(7,9): error MC2003: Unknown key 'qantize'.\n" +
            "# fake: diag {recipe}(3,5): warning MC2101: Key 'alpha' is deprecated.\n" +
            "# fake: exit 3\n");

        Assert.False(task.Execute());

        var error = Assert.Single(_engine.Errors);
        Assert.Equal(("MC2003", task.Recipe, 7, 9, "Unknown key 'qantize'."), (error.Code, error.File, error.LineNumber, error.ColumnNumber, error.Message));
        var warning = Assert.Single(_engine.Warnings);
        Assert.Equal(("MC2101", task.Recipe, 3, 5, "Key 'alpha' is deprecated."), (warning.Code, warning.File, warning.LineNumber, warning.ColumnNumber, warning.Message));
        Assert.False(File.Exists(task.ManifestFile));
    }

    [Theory]
    [InlineData(1, "MC7005")]
    [InlineData(2, "MC7006")]
    [InlineData(3, "MC7004")]
    [InlineData(4, "MC7004")]
    [InlineData(5, "MC7004")]
    [InlineData(6, "MC7004")]
    [InlineData(7, "MC7007")]
    [InlineData(42, "MC7008")]
    [InlineData(137, "MC7008")]
    public void An_exit_code_without_a_coded_error_maps_to_one_MC7_error(int exitCode, string expected)
    {
        var task = NewTask(OneModel + $"# fake: exit {exitCode}\n");

        Assert.False(task.Execute());

        var error = Assert.Single(_engine.Errors);
        Assert.Equal(expected, error.Code);
        Assert.StartsWith(expected + ": ", CompressModels.Messages.GetString(expected, System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Equal(exitCode, task.ExitCode);
        if (expected is "MC7004" or "MC7005" or "MC7007" or "MC7008")
        {
            Assert.Contains(task.Recipe, error.Message, StringComparison.Ordinal);
            Assert.Equal(task.Recipe, error.File);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(6)]
    public void The_tool_s_own_coded_error_is_not_repeated_by_the_task(int exitCode)
    {
        var task = NewTask(OneModel + $"# fake: diag error MC9001: boom\n# fake: exit {exitCode}\n");

        Assert.False(task.Execute());

        Assert.Equal(["MC9001"], _engine.Errors.Select(e => e.Code));
    }

    [Fact]
    public void Every_bad_input_is_reported_before_stopping()
    {
        var task = NewTask(OneModel, tool: _dir.Combine("no-tool", "ModelCompress.Cli.dll"));
        task.Recipe = _dir.Combine("missing.yaml");
        task.DotNetHostPath = _dir.Combine("no-dotnet");

        Assert.False(task.Execute());

        Assert.Equal(["MC7001", "MC7002", "MC7003"], _engine.Errors.Select(e => e.Code));
        Assert.Contains("missing.yaml", _engine.Errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("ModelCompress.Cli.dll", _engine.Errors[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Success_without_a_manifest_is_an_error()
    {
        var task = NewTask(OneModel + "# fake: no-manifest\n");

        Assert.False(task.Execute());

        Assert.Equal("MC7009", Assert.Single(_engine.Errors).Code);
    }

    [Fact]
    public void A_stale_manifest_is_deleted_even_when_the_tool_dies_before_touching_it()
    {
        var dying = _dir.Write("dies-at-once.sh", "exit 9\n");
        var task = NewTask(OneModel, tool: dying);
        Directory.CreateDirectory(Path.GetDirectoryName(task.ManifestFile)!);
        File.WriteAllText(task.ManifestFile, "/stale/output.onnx\n");

        Assert.False(task.Execute());

        Assert.False(File.Exists(task.ManifestFile));
        Assert.Equal("MC7008", Assert.Single(_engine.Errors).Code);
    }

    [Fact]
    public void A_run_killed_by_the_timeout_fails_and_leaves_no_manifest()
    {
        var task = NewTask(OneModel + "# fake: sleep 30\n");
        task.Timeout = 1000;

        Assert.False(task.Execute());

        Assert.Equal("MC7008", Assert.Single(_engine.Errors).Code);
        Assert.False(File.Exists(task.ManifestFile));
    }

    [Fact]
    public void Warnings_alone_do_not_fail_the_task()
    {
        var task = NewTask(OneModel + "# fake: diag {recipe}(9,7): warning MC5001: top1_agreement 0.97 is below 0.99.\n");
        task.FailOnRegression = false;

        Assert.True(task.Execute(), _engine.Describe());

        Assert.Equal(("MC5001", 9, 7), (_engine.Warnings.Single().Code, _engine.Warnings[0].LineNumber, _engine.Warnings[0].ColumnNumber));
    }

    [Fact]
    public void The_command_line_follows_the_tool_contract_and_survives_spaces()
    {
        var argsFile = _dir.Combine("args.txt");
        var task = NewTask(OneModel);
        task.FailOnRegression = false;
        task.EnvironmentVariables = ["FAKE_ARGS_FILE=" + argsFile];

        Assert.True(task.Execute(), _engine.Describe());

        Assert.Equal(
            [
                task.Recipe,
                "--output", task.OutputDirectory,
                "--cache-dir", task.CacheDirectory!,
                "--fail-on-regression", "false",
                "--manifest", task.ManifestFile,
                "--depfile", task.DepFile,
                "--project-dir", task.ProjectDirectory!,
            ],
            File.ReadAllLines(argsFile));
        Assert.Contains(" ", task.Recipe, StringComparison.Ordinal);
    }
}
