using System.Collections.Immutable;

namespace ModelCompress.Recipe;

/// <summary>
/// A validated <c>compression.yaml</c>: the one immutable description of the work that the build task and the CLI
/// hand to the engine. Every path in it is a full path, already checked to exist and to stay inside the project.
/// </summary>
/// <param name="Version">The schema version (always 1 today).</param>
/// <param name="RecipePath">The recipe file's full path.</param>
/// <param name="ProjectDirectory">The folder paths may not leave unless <paramref name="AllowOutside"/> is set.</param>
/// <param name="OutputDirectory">Full path of the output folder for CLI runs (<c>output:</c>, default <c>compressed</c>).</param>
/// <param name="AllowOutside">Whether paths may point outside <paramref name="ProjectDirectory"/>.</param>
/// <param name="Cache">Per-layer cache settings.</param>
/// <param name="Models">The models to compress, in recipe order (at least one).</param>
public sealed record Recipe(
    int Version,
    string RecipePath,
    string ProjectDirectory,
    string OutputDirectory,
    bool AllowOutside,
    CacheSettings Cache,
    ImmutableArray<ModelRecipe> Models)
{
    /// <summary>The only schema version this engine reads.</summary>
    public const int CurrentVersion = 1;

    /// <summary>The default output folder name.</summary>
    public const string DefaultOutput = "compressed";

    /// <summary>The model named <paramref name="name"/> (case-insensitive, like output file names), or null.</summary>
    public ModelRecipe? FindModel(string name) =>
        Models.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase));
}
