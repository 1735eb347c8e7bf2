using ModelCompress.Data;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Recipe;

namespace ModelCompress.Tests.Engine;

/// <summary>A throw-away project folder with models, data and a recipe, for engine and CLI tests.</summary>
internal sealed class TestProject : IDisposable
{
    public TestProject() => Root = Directory.CreateTempSubdirectory("mc-project-").FullName;

    public string Root { get; }

    public string PathOf(string relative) => Path.Combine(Root, relative);

    /// <summary>Saves <paramref name="model"/> as <paramref name="relative"/>.</summary>
    public string AddModel(string relative, OnnxModel model)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        model.Save(path);
        return path;
    }

    /// <summary>Writes an .npz with one float array per (name, shape), uniform in [−1, 1) from a fixed seed.</summary>
    public string AddRandomData(string relative, int seed, params (string Name, long[] Shape)[] arrays)
    {
        var rng = new Random(seed);
        var dict = arrays.ToDictionary(
            a => a.Name,
            a => NdArray.FromFloats([.. Enumerable.Range(0, (int)NdArray.ElementCount(a.Shape)).Select(_ => (float)((rng.NextDouble() * 2) - 1))], a.Shape));
        var path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        NpzArchive.WriteFile(path, dict);
        return path;
    }

    /// <summary>Writes an .npz holding <paramref name="arrays"/>.</summary>
    public string AddArrays(string relative, IReadOnlyDictionary<string, NdArray> arrays)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        NpzArchive.WriteFile(path, arrays);
        return path;
    }

    public string WriteRecipe(string yaml, string name = "compression.yaml")
    {
        var path = PathOf(name);
        File.WriteAllText(path, yaml.ReplaceLineEndings("\n"));
        return path;
    }

    /// <summary>Loads the recipe; fails the test with the diagnostics when it is invalid.</summary>
    public global::ModelCompress.Recipe.Recipe LoadRecipe(string name = "compression.yaml")
    {
        var sink = new ListDiagnosticSink();
        var recipe = RecipeLoader.Load(PathOf(name), RecipeLoadOptions.Default, sink);
        Assert.True(recipe is not null, string.Join("\n", sink.Items));
        return recipe!;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>An MLP project: model.onnx (16 → 256 → 256 → 10) and 32 verify samples.</summary>
    public static TestProject Mlp(string steps = "      - quantize: { mode: weight_only }", string thresholds = "        - { metric: cosine, min: 0.999 }")
    {
        var p = new TestProject();
        p.AddModel("models/model.onnx", SampleModels.Mlp(inputSize: 64, hiddenSize: 256, outputSize: 10, hiddenLayers: 2));
        p.AddRandomData("data/verify.npz", 1, ("input", [32, 64]));
        p.WriteRecipe($"""
            version: 1
            models:
              - name: mlp
                source: models/model.onnx
                steps:
            {steps}
                verify:
                  data: data/verify.npz
                  thresholds:
            {thresholds}
            """);
        return p;
    }
}
