using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Recipe;

namespace ModelCompress.Tests.Recipe;

/// <summary>
/// A throw-away project folder with the files recipes in these tests point at (the loader checks paths exist, not
/// their content), and a one-call way to load recipe text from <c>compression.yaml</c> in it.
/// </summary>
internal sealed class RecipeTestProject : IDisposable
{
    /// <summary>The start of a one-model recipe (model <c>m</c>, source models/m.onnx) that the recipe tests append steps to.</summary>
    public const string Head = "version: 1\nmodels:\n  - name: m\n    source: models/m.onnx\n";

    /// <summary>A calibration line for <see cref="Head"/>'s model.</summary>
    public const string Cal = "    calibration: { data: data/calib.npz }\n";

    public RecipeTestProject()
    {
        Root = Path.Combine(Path.GetTempPath(), "mc-recipe-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        foreach (var f in new[]
                 {
                     "models/m.onnx", "models/other.onnx", "models/teacher.onnx", "data/calib.npz", "data/val.npz",
                     "data/calib.npy", "data/labels.npy", "data/train.txt", "data/valid.txt", "data/calib.bin",
                     "data/notes.md", "tok512.bin", "data/t10k-images-idx3-ubyte.gz", "data/t10k-labels-idx1-ubyte.gz",
                 })
        {
            Touch(f);
        }
    }

    public string Root { get; }

    public string RecipePath => Path.Combine(Root, "compression.yaml");

    public string Full(string relative) => Path.GetFullPath(Path.Combine(Root, relative));

    public void Touch(string relative)
    {
        var path = Full(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, [1, 2, 3]);
    }

    public (ModelCompress.Recipe.Recipe? Recipe, ListDiagnosticSink Sink) Load(string yaml, RecipeLoadOptions? options = null)
    {
        var sink = new ListDiagnosticSink();
        var recipe = RecipeLoader.LoadFromText(yaml, RecipePath, options ?? RecipeLoadOptions.Default, sink);
        return (recipe, sink);
    }

    /// <summary>Loads <paramref name="yaml"/>, which must be valid: no error and no warning.</summary>
    public ModelCompress.Recipe.Recipe LoadValid(string yaml, RecipeLoadOptions? options = null)
    {
        var (recipe, sink) = Load(yaml, options);
        Assert.True(sink.Items.Count == 0, "unexpected diagnostics:\n" + string.Join("\n", sink.Items));
        Assert.NotNull(recipe);
        return recipe;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless; never fail a test over cleanup.
        }
    }

    /// <summary>Joins lines with '\n' so tests can count lines exactly.</summary>
    public static string Y(params string[] lines) => string.Join("\n", lines) + "\n";
}
