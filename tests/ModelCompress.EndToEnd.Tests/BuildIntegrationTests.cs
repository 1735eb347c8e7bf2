using ModelCompress.Build.TestInfrastructure;
using ModelCompress.Onnx;

namespace ModelCompress.EndToEnd.Tests;

/// <summary>The packed ModelCompress.Build with the real engine, through real <c>dotnet build</c> runs.</summary>
[Collection(PackedCollection.Name)]
public sealed class BuildIntegrationTests(PackedPackages packages)
{
    private const string Work = ConsumerProject.Work;

    [Fact]
    public void Build_embeds_the_compressed_model_skips_when_up_to_date_reruns_on_change_and_cleans()
    {
        using var app = new ConsumerProject(packages);

        var first = app.Build(restore: true).ShouldSucceed();
        Assert.True(first.Ran(Work), first.Output);
        Assert.Contains("classifier.onnx", ManifestResources.Names(app.Assembly));
        var embedded = ManifestResources.Read(app.Assembly, "classifier.onnx");
        var output = File.ReadAllLines(app.Manifests().Single()).Single(l => l.EndsWith("classifier.onnx", StringComparison.Ordinal));
        Assert.Equal(File.ReadAllBytes(output), embedded);
        // What is embedded is the compressed model: valid ONNX, int8 weights, smaller than the fp32 source.
        var compressed = OnnxModel.FromBytes(embedded);
        Assert.Contains(compressed.Graph.Initializers.Values, t => t.DataType == TensorDataType.Int8);
        Assert.True(embedded.Length < new FileInfo(app.ModelPath).Length / 2, $"{embedded.Length} bytes is not compressed");

        var noop = app.Build().ShouldSucceed();
        Assert.True(noop.Skipped(Work), noop.Output);
        Assert.Equal(embedded, ManifestResources.Read(app.Assembly, "classifier.onnx"));

        // The model is an input only through the previous run's depfile: touching it reruns the work.
        File.SetLastWriteTimeUtc(app.ModelPath, DateTime.UtcNow.AddSeconds(2));
        var touched = app.Build().ShouldSucceed();
        Assert.True(touched.Ran(Work), touched.Output);

        app.Write("compression.yaml", ConsumerProject.Recipe.Replace("min: 0.9", "min: 0.8", StringComparison.Ordinal));
        var edited = app.Build().ShouldSucceed();
        Assert.True(edited.Ran(Work), edited.Output);

        app.DotNet(["clean", .. DotNetCli.BuildSwitches]).ShouldSucceed();
        Assert.False(File.Exists(output));
        Assert.False(Directory.Exists(app.ModelCompressDir));
        Assert.False(File.Exists(app.Assembly));
    }

    [Fact]
    public void A_broken_recipe_fails_with_a_coded_error_at_its_line_and_records_nothing()
    {
        using var app = new ConsumerProject(packages, ConsumerProject.Recipe.Replace("- quantize:", "- qantize:", StringComparison.Ordinal));

        var broken = app.Build(restore: true);

        Assert.NotEqual(0, broken.ExitCode);
        Assert.Contains($"{app.RecipePath}(6,9): error MC2009:", broken.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("error MC7", broken.Output, StringComparison.Ordinal);
        Assert.Empty(app.Manifests());

        app.Write("compression.yaml", ConsumerProject.Recipe);
        var fixedBuild = app.Build().ShouldSucceed();
        Assert.True(fixedBuild.Ran(Work), fixedBuild.Output);
        Assert.Contains("classifier.onnx", ManifestResources.Names(app.Assembly));
    }

    [Fact]
    public void A_regression_fails_the_build_unless_ModelCompressFailOnRegression_is_false()
    {
        // Weight-only int8 always changes the logits a little, so an error bound of zero is a regression.
        using var app = new ConsumerProject(packages, ConsumerProject.Recipe.Replace(
            "{ metric: top1_agreement, min: 0.9 }", "{ metric: max_abs_error, max: 0 }", StringComparison.Ordinal));

        var failing = app.Build(restore: true);
        Assert.NotEqual(0, failing.ExitCode);
        Assert.Matches(@"error MC5\d{3}:", failing.Output);
        Assert.Empty(app.Manifests());

        var warned = app.Build(false, "-p:ModelCompressFailOnRegression=false").ShouldSucceed();
        Assert.Matches(@"warning MC5\d{3}:", warned.Output);
        Assert.Contains("classifier.onnx", ManifestResources.Names(app.Assembly));
    }

    [Fact]
    public void A_build_killed_while_the_tool_runs_leaves_nothing_that_a_later_build_treats_as_up_to_date()
    {
        // Many validation rows keep the tool busy for a moment, so the build can be killed while it runs.
        using var app = new ConsumerProject(packages, validationRows: 20_000);
        app.Build(restore: true).ShouldSucceed();
        File.SetLastWriteTimeUtc(app.ModelPath, DateTime.UtcNow.AddSeconds(2));

        var build = app.StartBuild();
        Assert.True(WaitForTool(app.Dir, TimeSpan.FromSeconds(120)), "the tool never started");
        build.Process.Kill(entireProcessTree: true);
        build.Wait(60);

        Assert.Empty(app.Manifests());
        var next = app.Build().ShouldSucceed();
        Assert.True(next.Ran(Work), next.Output);
        Assert.Single(app.Manifests());
    }

    /// <summary>Waits until a ModelCompress.Cli process working on this project exists (Linux: /proc).</summary>
    private static bool WaitForTool(string projectDir, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            foreach (var proc in Directory.EnumerateDirectories("/proc"))
            {
                try
                {
                    var cmdline = File.ReadAllText(Path.Combine(proc, "cmdline"));
                    if (cmdline.Contains("ModelCompress.Cli.dll", StringComparison.Ordinal) && cmdline.Contains(projectDir, StringComparison.Ordinal))
                    {
                        return true;
                    }
                }
                catch (IOException)
                {
                    // The process ended while we looked.
                }
                catch (UnauthorizedAccessException)
                {
                }
            }

            Thread.Sleep(10);
        }

        return false;
    }
}
