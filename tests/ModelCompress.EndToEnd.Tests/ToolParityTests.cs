using ModelCompress.Build.TestInfrastructure;

namespace ModelCompress.EndToEnd.Tests;

/// <summary>The dotnet tool and the build are thin shells over one engine call: same recipe, same bytes.</summary>
[Collection(PackedCollection.Name)]
public sealed class ToolParityTests(PackedPackages packages)
{
    [Fact]
    public void Dotnet_model_compress_run_and_dotnet_build_produce_byte_identical_models()
    {
        using var app = new ConsumerProject(packages);
        app.Build(restore: true).ShouldSucceed();
        var fromBuild = ManifestResources.Read(app.Assembly, "classifier.onnx");

        // The tool package, installed as a local tool from the same fresh folder.
        app.DotNet(["new", "tool-manifest"]).ShouldSucceed();
        app.DotNet(["tool", "install", "ModelCompress.Cli", "--version", packages.Version]).ShouldSucceed();
        var run = app.DotNet(["model-compress", "run", "compression.yaml", "--output", "by-tool"]).ShouldSucceed();

        var fromTool = File.ReadAllBytes(Path.Combine(app.Dir, "by-tool", "classifier.onnx"));
        Assert.True(fromTool.AsSpan().SequenceEqual(fromBuild), $"tool and build differ ({fromTool.Length} vs {fromBuild.Length} bytes):\n{run.Output}");
    }
}
