using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Recipe;
using ModelCompress.Testing;

namespace ModelCompress.Tests.Recipe;

/// <summary>
/// The <c>dotnet new modelcompress</c> template's compression.yaml, filled in as template.json's symbols fill it (the
/// rendering itself is tested on the packed template in ModelCompress.EndToEnd.Tests), is a valid recipe in each mode.
/// </summary>
public sealed class DotnetNewTemplateTests
{
    private static readonly string TemplateYaml = Path.Combine(
        Fixtures.RepoRoot, "src", "ModelCompress.Templates", "content", "compression-recipe", "compression.yaml");

    [Theory]
    [InlineData("weight_only", "weight_only", false)]
    [InlineData("dynamic", "dynamic", false)]
    [InlineData("static", "static", true)]
    [InlineData("smoothquant", "static", true)]
    public void Each_mode_of_the_template_loads_as_a_valid_recipe(string mode, string quantize, bool calibrated)
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.File("models"));
        Directory.CreateDirectory(dir.File("data"));
        File.Copy(Fixtures.Require("models/mnist-8.onnx"), dir.File("models/mnist.onnx"));
        File.WriteAllBytes(dir.File("data/calib.npz"), []);
        var text = File.ReadAllText(TemplateYaml)
            .Replace("MODEL_RESOURCE_NAME", "mnist", StringComparison.Ordinal)
            .Replace("MODEL_SOURCE_PATH", "models/mnist.onnx", StringComparison.Ordinal)
            .Replace("CALIBRATION_DATA_PATH", "data/calib.npz", StringComparison.Ordinal)
            .Replace("QUANTIZE_MODE", quantize, StringComparison.Ordinal)
            .Replace("CALIBRATION_PREFIX_", calibrated ? string.Empty : "# ", StringComparison.Ordinal)
            .Replace("SMOOTHQUANT_PREFIX_", mode == "smoothquant" ? string.Empty : "# ", StringComparison.Ordinal);
        var path = dir.File("compression.yaml");
        File.WriteAllText(path, text);
        var sink = new ListDiagnosticSink();

        var recipe = RecipeLoader.Load(path, RecipeLoadOptions.Default, sink);

        Assert.True(recipe is not null, string.Join("\n", sink.Items.Select(d => d.ToCanonicalString())));
        var model = Assert.Single(recipe.Models);
        Assert.Equal("mnist", model.Name);
        Assert.Equal(calibrated, model.Calibration is not null);
        Assert.Equal(mode == "smoothquant" ? ["smoothquant", "quantize"] : ["quantize"], model.Steps.Select(s => s.Kind));
    }
}
