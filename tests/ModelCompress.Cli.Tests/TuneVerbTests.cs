using ModelCompress.Cli.Verbs;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Recipe;
using ModelCompress.Testing;

namespace ModelCompress.Cli.Tests;

/// <summary>
/// <c>tune</c>: runs the search on mnist-8 and prints the chosen steps as YAML; pasted over <c>tune:</c>, the YAML
/// loads as the same steps (same settings fingerprints) and a plain run of it writes the same model bytes.
/// </summary>
public sealed class TuneVerbTests
{
    [Fact]
    public async Task Tune_prints_yaml_that_pasted_over_tune_gives_the_same_steps_and_bytes()
    {
        using var dir = new TempDirectory();
        var images = Fixtures.Require("data/mnist/t10k-images-idx3-ubyte.gz");
        string Recipe(string body) => $"""
            version: 1
            allow_outside: true
            models:
              - name: mnist
                source: {Fixtures.Require("models/mnist-8.onnx")}
                calibration: {"{"} data: {images}, samples: 32 {"}"}
            {body}
                verify:
                  data: {images}
                  labels: {Fixtures.Require("data/mnist/t10k-labels-idx1-ubyte.gz")}
                  samples: 100
                  per_layer: false
                  thresholds:
                    - {"{"} metric: accuracy, max_drop: 0.01 {"}"}
            """;
        var tuned = Path.Combine(dir.FullPath, "compression.yaml");
        File.WriteAllText(tuned, Recipe("    tune: { max_trials: 4 }"));

        var yaml = await CliResult.Of((o, e) => TuneCommand.RunAsync(new TuneCommand.Options(tuned, YamlOnly: true), o, e, default));
        var text = await CliResult.Of((o, e) => TuneCommand.RunAsync(
            new TuneCommand.Options(tuned, Output: Path.Combine(dir.FullPath, "out2")), o, e, default));

        Assert.Equal(ExitCode.Success, yaml.Code);
        Assert.StartsWith("    steps:\n      - quantize: { mode: ", yaml.Stdout, StringComparison.Ordinal);
        Assert.Contains("info MC3700:", yaml.Stderr, StringComparison.Ordinal);
        Assert.Contains("chose #", text.Stdout, StringComparison.Ordinal);
        Assert.EndsWith(yaml.Stdout, text.Stdout, StringComparison.Ordinal);

        var pasted = Path.Combine(dir.FullPath, "pasted.yaml");
        File.WriteAllText(pasted, Recipe(yaml.Stdout.TrimEnd('\n')));
        var sink = new ListDiagnosticSink();
        var a = RecipeLoader.Load(tuned, new RecipeLoadOptions(), sink)!.Models[0];
        var b = RecipeLoader.Load(pasted, new RecipeLoadOptions(), sink)!.Models[0];
        Assert.Empty(sink.Items);
        var run = await CliResult.Of((o, e) => RunCommand.RunAsync(new RunCommand.Options(pasted, Output: Path.Combine(dir.FullPath, "plain")), o, e, default));
        Assert.Equal(ExitCode.Success, run.Code);
        var tunedReport = Reports.ReportJson.Parse(File.ReadAllBytes(Path.Combine(dir.FullPath, "compressed", "report.json")));
        var chosen = Engine.ModelCompressEngine.TuneCandidateSteps(a, tunedReport.Models[0].Tuning!.Chosen);
        Assert.Equal(chosen.Select(s => s.SettingsFingerprint()), b.Steps.Select(s => s.SettingsFingerprint()));
        Assert.Equal(
            File.ReadAllBytes(Path.Combine(dir.FullPath, "compressed", "mnist.onnx")),
            File.ReadAllBytes(Path.Combine(dir.FullPath, "plain", "mnist.onnx")));
    }
}
