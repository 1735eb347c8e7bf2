using ModelCompress.Build.TestInfrastructure;

namespace ModelCompress.Build.Tasks.Tests;

/// <summary>
/// The targets, run by a real <c>dotnet build</c> of a temp project against the fake tool: incrementality, items,
/// clean, failures. The same behaviour against the packed package and the real engine is in
/// ModelCompress.EndToEnd.Tests; these run in seconds and pin down the targets' logic on their own.
/// </summary>
public sealed class TargetsFromSourceTests
{
    private const string Recipe = "version: 1\nmodels:\n  - name: tiny\n    source: models/tiny.onnx\n";
    private const string Work = "_ModelCompressRun";

    [Fact]
    public void Builds_incrementally_embeds_by_logical_name_and_cleans()
    {
        using var p = new SourceTargetsProject();
        p.Write("models/tiny.onnx", "model bytes v1");
        p.Write("compression.yaml", Recipe);

        var first = p.Build().ShouldSucceed();
        Assert.True(first.Ran(Work), first.Output);
        Assert.Equal(["tiny.onnx"], ManifestResources.Names(p.Assembly));
        Assert.Equal("model bytes v1"u8.ToArray(), ManifestResources.Read(p.Assembly, "tiny.onnx"));

        var noop = p.Build().ShouldSucceed();
        Assert.True(noop.Skipped(Work), noop.Output);
        Assert.Equal(1, p.Runs);
        Assert.Equal(["tiny.onnx"], ManifestResources.Names(p.Assembly));

        // Touching a model or editing the recipe reruns the work: ModelCompress.EndToEnd.Tests checks that with
        // the real tool; here, the inputs only the targets know about.
        // A property that changes outputs reruns it (through settings.txt); the same value again does not.
        Assert.True(p.Build("-p:ModelCompressFailOnRegression=false").ShouldSucceed().Ran(Work));
        Assert.True(p.Build("-p:ModelCompressFailOnRegression=false").ShouldSucceed().Skipped(Work));

        // An output deleted behind the build's back is made again rather than embedded from nowhere.
        var output = Directory.GetFiles(p.ModelCompressDir, "tiny.onnx", SearchOption.AllDirectories).Single();
        File.Delete(output);
        Assert.True(p.Build("-p:ModelCompressFailOnRegression=false").ShouldSucceed().Ran(Work));
        Assert.True(File.Exists(output));
        Assert.Equal(3, p.Runs);

        p.Clean().ShouldSucceed();
        Assert.False(Directory.Exists(p.ModelCompressDir));
    }

    [Fact]
    public void Listed_recipes_get_their_own_folders_and_only_a_changed_one_reruns()
    {
        using var p = new SourceTargetsProject("""
            <ItemGroup>
              <ModelCompressRecipe Include="ml/a/compression.yaml" />
              <ModelCompressRecipe Include="ml/b/compression.yaml" />
            </ItemGroup>
            """);
        p.Write("ml/a/m.onnx", "a");
        p.Write("ml/b/m.onnx", "b");
        p.Write("ml/a/compression.yaml", "models:\n  - name: alpha\n    source: m.onnx\n");
        p.Write("ml/b/compression.yaml", "models:\n  - name: beta\n    source: m.onnx\n");
        // Not listed, so not used: listed items replace the convention.
        p.Write("compression.yaml", "# fake: exit 3\n");

        p.Build().ShouldSucceed();
        Assert.Equal(["alpha.onnx", "beta.onnx"], ManifestResources.Names(p.Assembly));
        Assert.Equal(2, p.Manifests().Length);
        Assert.Equal(2, p.Runs);

        Touch(p.Path_("ml/b/m.onnx"));
        p.Build().ShouldSucceed();
        Assert.Equal(3, p.Runs);
        Assert.EndsWith("ml/b/compression.yaml", File.ReadAllLines(p.RunLog)[^1], StringComparison.Ordinal);
    }

    private static void Touch(string path) => File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddSeconds(2));
}
