using ModelCompress.Engine;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Testing;
using ModelCompress.Tests.Tuning;

namespace ModelCompress.Tests.Engine;

/// <summary>
/// A rerun with nothing changed reads the model's run back (no load, steps or gate) and keeps the outputs as they
/// are; a changed recipe, a damaged output or a damaged memo entry runs the model again and writes the same bytes a
/// first run writes. mnist-8, int8 weight-only, gate on 100 test images.
/// </summary>
public sealed class RunMemoTests
{
    private const string Thresholds = "            - { metric: top1_agreement, min: 0.9 }";

    private static (Reports.CompressionReport Report, ListDiagnosticSink Sink) Run(TestProject p)
    {
        var sink = new ListDiagnosticSink();
        var result = ModelCompressEngine.Compress(
            p.LoadRecipe(), new CompressOptions(p.PathOf("out")) { CacheDirectory = p.PathOf("cache"), ManifestPath = p.PathOf("manifest.txt") },
            sink, CancellationToken.None);
        Assert.True(result.Succeeded, string.Join("\n", sink.Items));
        return (result.Report, sink);
    }

    [Fact]
    public void Unchanged_rerun_is_read_back_and_any_change_runs_again()
    {
        using var p = new TestProject();
        p.WriteRecipe(TuneRecipes.MnistSteps("      - quantize: { mode: weight_only, per_channel: true }", Thresholds, samples: 100));
        var (first, _) = Run(p);
        var output = p.PathOf("out/mnist.onnx");
        var bytes = File.ReadAllBytes(output);
        var manifest = File.ReadAllText(p.PathOf("manifest.txt"));
        Assert.Null(first.Timings.Models[0].ReadBack);

        var (second, _) = Run(p);
        Assert.True(second.Timings.Models[0].ReadBack);
        Assert.Equal(first.Models[0].OutputBytes, second.Models[0].OutputBytes);
        Assert.Equal(first.Models[0].Verification!.Passed, second.Models[0].Verification!.Passed);
        Assert.Equal(bytes, File.ReadAllBytes(output));
        Assert.Equal(manifest, File.ReadAllText(p.PathOf("manifest.txt")));

        // A damaged output (same length) is written again.
        var damaged = (byte[])bytes.Clone();
        damaged[^1] ^= 0x55;
        File.WriteAllBytes(output, damaged);
        var (third, _) = Run(p);
        Assert.Null(third.Timings.Models[0].ReadBack);
        Assert.Equal(bytes, File.ReadAllBytes(output));

        // A damaged memo entry is ignored.
        foreach (var entry in Directory.EnumerateFiles(p.PathOf("cache/" + RunMemo.FolderName), "*.json", SearchOption.AllDirectories))
        {
            File.WriteAllText(entry, "{\"key\": \"");
        }

        Assert.Null(Run(p).Report.Timings.Models[0].ReadBack);
        Assert.True(Run(p).Report.Timings.Models[0].ReadBack);

        // Another recipe (a different gate) runs again.
        p.WriteRecipe(TuneRecipes.MnistSteps("      - quantize: { mode: weight_only, per_channel: true }", "            - { metric: top1_agreement, min: 0.8 }", samples: 100));
        var (changed, _) = Run(p);
        Assert.Null(changed.Timings.Models[0].ReadBack);
        Assert.Equal(bytes, File.ReadAllBytes(output));
    }

    [Fact]
    public void Read_back_run_reports_the_first_runs_diagnostics()
    {
        using var p = new TestProject();
        p.WriteRecipe(TuneRecipes.Mnist("      objective: size\n      max_trials: 2", Thresholds, samples: 100));
        var (first, firstSink) = Run(p);
        var (second, secondSink) = Run(p);
        Assert.True(second.Timings.Models[0].ReadBack);
        Assert.Equal(first.Models[0].Tuning!.Chosen, second.Models[0].Tuning!.Chosen);
        Assert.Equal(
            firstSink.Items.Where(d => d.Code == "MC3700").Select(d => d.ToCanonicalString()),
            secondSink.Items.Where(d => d.Code == "MC3700").Select(d => d.ToCanonicalString()));
        Assert.Contains(secondSink.Items, d => d.Code == "MC3700" && d.Severity == DiagnosticSeverity.Info);
    }
}
