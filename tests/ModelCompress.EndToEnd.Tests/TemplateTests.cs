using ModelCompress.Build.TestInfrastructure;

namespace ModelCompress.EndToEnd.Tests;

/// <summary>The packed <c>dotnet new modelcompress</c> item template, installed into a private CLI home.</summary>
[Collection(PackedCollection.Name)]
public sealed class TemplateTests(PackedPackages packages)
{
    [Fact]
    public void Dotnet_new_modelcompress_writes_a_recipe_for_each_mode()
    {
        using var dir = new TempDir();
        var env = new Dictionary<string, string> { ["DOTNET_CLI_HOME"] = dir.Combine("cli-home") };
        var nupkg = Path.Combine(packages.Folder, $"ModelCompress.Templates.{packages.Version}.nupkg");
        DotNetCli.Run(dir.Path, ["new", "install", nupkg], env).ShouldSucceed();

        var recipes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var mode in new[] { "weight_only", "static", "smoothquant" })
        {
            var output = dir.Combine(mode);
            DotNetCli.Run(dir.Path, ["new", "modelcompress", "-o", output, "--model", "models/enc.onnx", "--model-name", "enc", "--mode", mode], env)
                .ShouldSucceed();
            recipes[mode] = File.ReadAllText(Path.Combine(output, "compression.yaml"));
        }

        Assert.All(recipes.Values, r => Assert.Contains("  - name: enc\n    source: models/enc.onnx\n", r.ReplaceLineEndings("\n"), StringComparison.Ordinal));
        Assert.Contains("    # calibration: { data: data/calib.npz", recipes["weight_only"], StringComparison.Ordinal);
        Assert.Contains("      # - smoothquant:", recipes["weight_only"], StringComparison.Ordinal);
        Assert.Contains("      - quantize: { mode: weight_only }", recipes["weight_only"], StringComparison.Ordinal);
        Assert.Contains("    calibration: { data: data/calib.npz, samples: 128 }", recipes["static"], StringComparison.Ordinal);
        Assert.Contains("      # - smoothquant:", recipes["static"], StringComparison.Ordinal);
        Assert.Contains("      - quantize: { mode: static }", recipes["static"], StringComparison.Ordinal);
        Assert.Contains("      - smoothquant: { alpha: auto }\n      - quantize: { mode: static }", recipes["smoothquant"].ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.DoesNotContain(recipes.Values, r => r.Contains("_PREFIX_", StringComparison.Ordinal) || r.Contains("QUANTIZE_MODE", StringComparison.Ordinal));
    }
}
