using System.Text.Json;
using ModelCompress.Testing;

namespace ModelCompress.Cli.Tests;

/// <summary>
/// <c>init</c> without calibration data writes a mode that compresses the model it is given, with a comment saying
/// why: weight-only int8 for conv nets (dynamic would leave their Conv weights float), dynamic int8 for a transformer
/// whose weights are MatMuls; with calibration data, static int8. Each recipe is then run and its output is smaller.
/// <c>inspect</c> lists, per mode, the layers and float weight bytes it would change.
/// </summary>
public sealed class InitDefaultModeTests
{
    [Theory]
    [InlineData("models/mnist-8.onnx", "weight_only", 0.40)]
    [InlineData("models/ppocrv4/ch_ppocr_mobile_v2.0_cls_infer.onnx", "weight_only", 0.45)]
    [InlineData("models/char-gpt/char-gpt-6l384.onnx", "dynamic", 0.30)]
    public async Task Init_without_data_chooses_a_mode_that_compresses_and_the_run_writes_a_smaller_model(string fixture, string mode, double maxRatio)
    {
        using var dir = new TempDirectory();
        var name = Path.GetFileName(fixture);
        File.Copy(Fixtures.Require(fixture), dir.File(name));
        var recipe = dir.File("compression.yaml");

        var init = await CliResult.Of((o, e) => InitCommand.RunAsync(new InitCommand.Options(dir.File(name), recipe), o, e, default));
        var text = File.ReadAllText(recipe);
        var run = await CliResult.Of((o, e) => RunCommand.RunAsync(new RunCommand.Options(recipe), o, e, default));

        Assert.Equal(ExitCode.Success, init.Code);
        Assert.Contains($"    # {mode} int8 (no calibration data): ", text, StringComparison.Ordinal);
        Assert.Contains($"mode: {mode} ", text, StringComparison.Ordinal);
        Assert.Equal(ExitCode.Success, run.Code);
        Assert.DoesNotContain("MC3007", run.Stderr, StringComparison.Ordinal);
        var output = Directory.GetFiles(dir.File("compressed"), "*.onnx").Single();
        Assert.InRange(new FileInfo(output).Length / (double)new FileInfo(dir.File(name)).Length, 0.05, maxRatio);
    }

    [Fact]
    public async Task Init_with_calibration_data_writes_static_int8_and_inspect_lists_what_each_mode_changes()
    {
        using var dir = new TempDirectory();
        File.Copy(Fixtures.Require("models/mnist-8.onnx"), dir.File("mnist-8.onnx"));
        File.Copy(Fixtures.Require("data/mnist/t10k-images-idx3-ubyte.gz"), dir.File("t10k-images-idx3-ubyte.gz"));
        var recipe = dir.File("compression.yaml");

        var init = await CliResult.Of((o, e) => InitCommand.RunAsync(
            new InitCommand.Options(dir.File("mnist-8.onnx"), recipe, Calibration: dir.File("t10k-images-idx3-ubyte.gz")), o, e, default));
        var inspect = await CliResult.Of((o, e) => InspectCommand.RunAsync(new InspectCommand.Options(dir.File("mnist-8.onnx"), "json"), o, e, default));

        Assert.Equal(ExitCode.Success, init.Code);
        var text = File.ReadAllText(recipe);
        Assert.Contains("    # static int8 (calibration data given): 3 layer(s), 23.3 KiB of float weights", text, StringComparison.Ordinal);
        Assert.Contains("mode: static ", text, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(inspect.Stdout);
        var modes = json.RootElement.GetProperty("modes").EnumerateArray()
            .ToDictionary(m => m.GetProperty("mode").GetString()!, m => (m.GetProperty("layers").GetInt32(), m.GetProperty("weight_bytes").GetInt64()));
        Assert.Equal((3, 23_840L), modes["weight_only"]);
        Assert.Equal((1, 10_240L), modes["dynamic"]);
        Assert.Equal((3, 23_840L), modes["static"]);
    }
}
