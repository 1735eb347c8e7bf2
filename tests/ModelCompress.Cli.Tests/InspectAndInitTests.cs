using System.Text.Json;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Recipe;
using ModelCompress.Testing;

namespace ModelCompress.Cli.Tests;

public sealed class InspectAndInitTests
{
    [Fact]
    public async Task Inspect_json_reports_operators_parameters_and_the_three_quantizable_mnist_layers()
    {
        var model = Fixtures.Require("models/mnist-8.onnx");

        var r = await CliResult.Of((o, e) => InspectCommand.RunAsync(new InspectCommand.Options(model, "json"), o, e, default));

        Assert.Equal(ExitCode.Success, r.Code);
        using var json = JsonDocument.Parse(r.Stdout);
        var root = json.RootElement;
        Assert.Equal(8, root.GetProperty("opsets").GetProperty("ai.onnx").GetInt64());
        Assert.Equal(2, root.GetProperty("operators").GetProperty("Conv").GetInt32());
        Assert.Equal(5998, root.GetProperty("parameters").GetInt64());
        var layers = root.GetProperty("quantizable_layers").EnumerateArray().Select(l => l.GetProperty("op").GetString()).ToList();
        Assert.Equal(["Conv", "Conv", "MatMul"], layers);
    }

    [Fact]
    public async Task Inspect_text_is_readable_and_a_missing_model_exits_4()
    {
        var ok = await CliResult.Of((o, e) => InspectCommand.RunAsync(new InspectCommand.Options(Fixtures.Require("models/mnist-8.onnx")), o, e, default));
        var missing = await CliResult.Of((o, e) => InspectCommand.RunAsync(new InspectCommand.Options("/no/such/model.onnx"), o, e, default));

        Assert.Contains("quantizable layers (3):", ok.Stdout, StringComparison.Ordinal);
        Assert.Contains("Convolution28 (Conv) weight Parameter5 [8, 1, 5, 5]", ok.Stdout, StringComparison.Ordinal);
        Assert.Equal(ExitCode.InvalidModel, missing.Code);
        Assert.Contains("error MC1001:", Assert.Single(missing.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_with_validation_data_and_labels_writes_a_gated_recipe_that_passes_on_mnist()
    {
        using var dir = new TempDirectory();
        foreach (var f in new[] { "models/mnist-8.onnx", "data/mnist/t10k-images-idx3-ubyte.gz", "data/mnist/t10k-labels-idx1-ubyte.gz" })
        {
            File.Copy(Fixtures.Require(f), dir.File(Path.GetFileName(f)));
        }

        var recipe = dir.File("compression.yaml");
        var init = await CliResult.Of((o, e) => InitCommand.RunAsync(
            new InitCommand.Options(dir.File("mnist-8.onnx"), recipe, Verify: dir.File("t10k-images-idx3-ubyte.gz"), Labels: dir.File("t10k-labels-idx1-ubyte.gz")), o, e, default));
        var text = File.ReadAllText(recipe);
        var run = await CliResult.Of((o, e) => RunCommand.RunAsync(new RunCommand.Options(recipe), o, e, default));

        Assert.Equal(ExitCode.Success, init.Code);
        Assert.Contains("data: 't10k-images-idx3-ubyte.gz'", text, StringComparison.Ordinal);
        Assert.Contains("metric: accuracy, max_drop: 0.01", text, StringComparison.Ordinal);
        Assert.Equal(ExitCode.Success, run.Code);
        Assert.Contains("accuracy 0.98", run.Stdout, StringComparison.Ordinal); // fp32 scores 98.91% on all 10,000
    }

    [Fact]
    public async Task Init_writes_a_recipe_that_loads_and_runs_and_will_not_overwrite_without_force()
    {
        using var dir = new TempDirectory();
        File.Copy(Fixtures.Require("models/mnist-8.onnx"), dir.File("mnist-8.onnx"));
        var recipe = dir.File("compression.yaml");
        Task<CliResult> Init(bool force) => CliResult.Of((o, e) => InitCommand.RunAsync(new InitCommand.Options(dir.File("mnist-8.onnx"), recipe, force), o, e, default));

        var first = await Init(false);
        var again = await Init(false);
        var forced = await Init(true);
        var sink = new ListDiagnosticSink();
        var loaded = RecipeLoader.Load(recipe, RecipeLoadOptions.Default, sink);
        var run = await CliResult.Of((o, e) => RunCommand.RunAsync(new RunCommand.Options(recipe), o, e, default));

        Assert.Equal(ExitCode.Success, first.Code);
        Assert.Equal(ExitCode.UsageError, again.Code);
        Assert.Contains("--force", again.Stderr, StringComparison.Ordinal);
        Assert.Equal(ExitCode.Success, forced.Code);
        Assert.True(loaded is not null, string.Join("\n", sink.Items));
        Assert.Equal("mnist-8", loaded!.Models.Single().Name);
        Assert.StartsWith("# Written by 'dotnet model-compress init' for mnist-8.onnx: 3 quantizable layer(s): Convolution28 (Conv), Convolution110 (Conv), Times212 (MatMul).", File.ReadAllText(recipe), StringComparison.Ordinal);
        Assert.Equal(ExitCode.Success, run.Code);
        Assert.True(File.Exists(dir.File("compressed/mnist-8.onnx")));
    }
}
