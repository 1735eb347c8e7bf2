using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Recipe;

namespace ModelCompress.Cli;

/// <summary>Loads a recipe for a verb; its MC2xxx diagnostics go to the sink, all of them in one pass.</summary>
internal static class RecipeFiles
{
    public static Recipe.Recipe? Load(string path, string? projectDirectory, IDiagnosticSink sink) =>
        RecipeLoader.Load(path, new RecipeLoadOptions { ProjectDirectory = projectDirectory }, sink);
}
