using System.Diagnostics;
using ModelCompress.Build.TestInfrastructure;
using ModelCompress.Importers;
using ModelCompress.Onnx;
using ModelCompress.Testing;
using StoryTeller.Generator;

namespace ModelCompress.EndToEnd.Tests;

/// <summary>
/// samples/StoryTeller built the way a user builds it — a copy of the sample, the freshly packed ModelCompress.Build,
/// a real <c>dotnet build</c> that compresses, gates and embeds stories260K — then run: it must tell a story, and the
/// same seed must tell the same story.
/// </summary>
[Collection(PackedCollection.Name)]
public sealed class StoryTellerSampleTests(PackedPackages packages)
{
    [Fact]
    public void The_sample_builds_from_the_package_embeds_an_int8_model_and_a_seed_repeats_its_story()
    {
        using var temp = new TempDir();
        var app = CopySample(temp);
        var checkpoint = Fixtures.Require("models/stories260K/stories260K.bin");
        var tokenizer = Fixtures.Require("models/stories260K/tok512.bin");
        PreGenerate(app, checkpoint, tokenizer);
        File.WriteAllText(Path.Combine(app, "nuget.config"), NuGetConfig());

        var build = DotNetCli.Run(app, ["build", "-c", "Release", "-v:n", .. DotNetCli.BuildSwitches,
            $"-p:StoryTellerCheckpoint={checkpoint}", $"-p:StoryTellerTokenizer={tokenizer}"], packages.Environment, timeoutSeconds: 600).ShouldSucceed();
        Assert.True(build.Skipped("_StoryTellerGenerate"), "the models written beforehand should have been up to date:\n" + build.Output);

        var assembly = Path.Combine(app, "bin", "Release", "net10.0", "StoryTeller.dll");
        Assert.Contains("story.onnx", ManifestResources.Names(assembly));
        Assert.Contains("tokenizer.bin", ManifestResources.Names(assembly));
        var embedded = OnnxModel.FromBytes(ManifestResources.Read(assembly, "story.onnx"));
        Assert.Contains(embedded.Graph.Nodes, n => n.OpType == "QuantizeLinear");
        Assert.Contains(embedded.Graph.Initializers.Values, t => t.DataType == TensorDataType.Int8);
        Assert.Contains(embedded.Graph.Outputs, o => o.Name == Llama2cKeyValueCache.PresentKey(0));

        string[] sampled = ["--prompt", "Once upon a time", "--steps", "48", "--seed", "7", "--temperature", "0.8"];
        var first = RunApp(assembly, sampled);
        var second = RunApp(assembly, sampled);
        Assert.StartsWith("Once upon a time", first, StringComparison.Ordinal);
        Assert.True(first.Trim().Length > "Once upon a time".Length + 40, "no story was told: " + first);
        Assert.Equal(first, second);
        var otherSeed = RunApp(assembly, [.. sampled[..5], "8", .. sampled[6..]]);
        Assert.NotEqual(first, otherSeed);

        var greedy = RunApp(assembly, ["--prompt", "Once upon a time", "--steps", "32", "--greedy"]);
        Assert.Equal(greedy, RunApp(assembly, ["--prompt", "Once upon a time", "--steps", "32", "--greedy", "--seed", "99"]));
    }

    /// <summary>
    /// The fresh package, and ONNX Runtime (the app's own run-time dependency) from this machine's NuGet package folder,
    /// read as a local feed: nothing comes from the network.
    /// </summary>
    private string NuGetConfig()
    {
        var machine = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } set
            ? set
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return packages.NuGetConfig.Replace("</packageSources>", $"  <add key=\"machine\" value=\"{machine}\" />\n  </packageSources>", StringComparison.Ordinal);
    }

    /// <summary>The sample and the samples' shared props, as a user's repository has them.</summary>
    private static string CopySample(TempDir temp)
    {
        var samples = Path.Combine(Fixtures.RepoRoot, "samples");
        File.Copy(Path.Combine(samples, "Directory.Build.props"), temp.Combine("Directory.Build.props"));
        File.Copy(Path.Combine(samples, "Directory.Packages.props"), temp.Combine("Directory.Packages.props"));
        var app = temp.Combine("StoryTeller");
        var from = Path.Combine(samples, "StoryTeller");
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (relative.Split(Path.DirectorySeparatorChar)[0] is "bin" or "obj" or "models")
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(app, relative))!);
            File.Copy(file, Path.Combine(app, relative));
        }

        return app;
    }

    /// <summary>
    /// Writes what the sample's generator step writes (models/source.txt first, then the model and tokenizer, so the
    /// step is up to date): the copy has no ../StoryTeller.Generator beside it, and the step's own run is the repo's.
    /// </summary>
    private static void PreGenerate(string app, string checkpoint, string tokenizer)
    {
        var models = Directory.CreateDirectory(Path.Combine(app, "models")).FullName;
        File.WriteAllLines(Path.Combine(models, "source.txt"), [checkpoint, tokenizer]);
        var past = DateTime.UtcNow.AddMinutes(-1);
        File.SetLastWriteTimeUtc(Path.Combine(models, "source.txt"), past);
        KvCacheModelWriter.Write(Llama2cCheckpoint.Load(checkpoint)).Save(Path.Combine(models, "story.onnx"));
        File.WriteAllBytes(Path.Combine(models, "tokenizer.bin"), File.ReadAllBytes(tokenizer));
    }

    /// <summary>The app's standard output (the story; timings go to standard error).</summary>
    private static string RunApp(string assembly, string[] args)
    {
        var psi = new ProcessStartInfo(DotNetCli.Host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(assembly);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), "StoryTeller did not finish");
        Assert.True(process.ExitCode == 0, $"StoryTeller exited with {process.ExitCode}: {stdout}\n{stderr.Result}");
        Assert.Contains("tokens/s, time to first token", stderr.Result, StringComparison.Ordinal);
        return stdout;
    }
}
