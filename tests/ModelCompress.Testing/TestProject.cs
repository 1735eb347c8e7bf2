using ModelCompress.Data;
using ModelCompress.Engine;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Recipe;
using Xunit;

namespace ModelCompress.Testing;

/// <summary>A throw-away project folder with models, data and a recipe, for engine, CLI and benchmark runs: the one temp-project helper of the tests.</summary>
public sealed class TestProject : IDisposable
{
    /// <summary>Creates an empty folder under the system temp folder.</summary>
    public TestProject() => Root = Directory.CreateTempSubdirectory("mc-project-").FullName;

    /// <summary>The folder.</summary>
    public string Root { get; }

    /// <summary>The recipe written by <see cref="WriteRecipe"/> under its default name.</summary>
    public string Recipe => PathOf(RecipeLoader.DefaultFileName);

    /// <summary>A path inside the folder.</summary>
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

    /// <summary>Writes <paramref name="yaml"/> (line ends made '\n') as the recipe <paramref name="name"/>.</summary>
    public string WriteRecipe(string yaml, string name = "compression.yaml")
    {
        var path = PathOf(name);
        File.WriteAllText(path, yaml.ReplaceLineEndings("\n"));
        return path;
    }

    /// <summary>Runs the engine on the recipe as <c>dotnet build</c> does, writing into <paramref name="output"/>.</summary>
    public CompressResult Compress(ListDiagnosticSink sink, string output = "out", string? cache = null) =>
        ModelCompressEngine.Compress(LoadRecipe(), new CompressOptions(PathOf(output)) { CacheDirectory = cache }, sink, CancellationToken.None);

    /// <summary>Runs the engine and fails the test, listing the diagnostics, unless the run succeeded.</summary>
    public CompressResult CompressSucceeded(string output = "out")
    {
        var sink = new ListDiagnosticSink();
        var result = Compress(sink, output);
        Assert.True(result.Succeeded, string.Join("\n", sink.Items));
        return result;
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

    /// <summary>
    /// An MLP project: models/model.onnx (<paramref name="inputSize"/> → <paramref name="hiddenSize"/> →
    /// <paramref name="hiddenSize"/> → 10), <paramref name="samples"/> verify samples in <paramref name="data"/> and a
    /// recipe with <paramref name="steps"/> and <paramref name="thresholds"/>.
    /// </summary>
    public static TestProject Mlp(
        string steps = "      - quantize: { mode: weight_only }",
        string thresholds = "        - { metric: cosine, min: 0.999 }",
        int inputSize = 64,
        int hiddenSize = 256,
        string data = "data/verify.npz",
        int samples = 32)
    {
        var p = new TestProject();
        p.AddModel("models/model.onnx", SampleModels.Mlp(inputSize: inputSize, hiddenSize: hiddenSize, outputSize: 10, hiddenLayers: 2));
        p.AddRandomData(data, 1, ("input", [samples, inputSize]));
        p.WriteRecipe($"""
            version: 1
            models:
              - name: mlp
                source: models/model.onnx
                steps:
            {steps}
                verify:
                  data: {data}
                  thresholds:
            {thresholds}
            """);
        return p;
    }

    /// <summary>
    /// A transformer-block project: models/gpt.onnx (<paramref name="model"/>, default a 64-wide 4-head GPT block),
    /// 8 calibration and 6 verify samples of [16, <paramref name="d"/>] random inputs, and a recipe with
    /// <paramref name="steps"/> and <paramref name="thresholds"/>.
    /// </summary>
    public static TestProject GptBlock(string steps, string thresholds, OnnxModel? model = null, int d = 64)
    {
        var p = new TestProject();
        p.AddModel("models/gpt.onnx", model ?? SampleModels.GptBlock(dModel: 64, heads: 4));
        p.AddRandomData("data/calib.npz", 3, ("x", [8, 16, d]));
        p.AddRandomData("data/verify.npz", 4, ("x", [6, 16, d]));
        p.WriteRecipe($"""
            version: 1
            models:
              - name: gpt
                source: models/gpt.onnx
                calibration: {"{"} data: data/calib.npz, samples: 8 {"}"}
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
