using ModelCompress.Onnx.Diagnostics;

namespace ModelCompress.Cli.Verbs;

/// <summary>
/// The part every recipe verb (<c>run</c>, <c>verify</c>, <c>tune</c>) shares: diagnostics to stderr in canonical form,
/// the recipe loaded with all its MC2xxx errors reported at once (exit <see cref="ExitCode.InvalidRecipe"/>), and any
/// failure turned into one line and an exit code (<see cref="CliErrors"/>). The verb supplies only what it does with
/// the loaded recipe.
/// </summary>
internal static class VerbRunner
{
    /// <summary>Loads <paramref name="recipePath"/> and runs <paramref name="body"/> on it.</summary>
    /// <param name="recipePath">The recipe file.</param>
    /// <param name="projectDirectory">The folder recipe paths may not leave; null is the recipe's folder.</param>
    /// <param name="stdout">Results (checked here so every verb refuses a null writer the same way).</param>
    /// <param name="stderr">Diagnostics and the one-line failure.</param>
    /// <param name="body">The verb's work on the loaded recipe, with the sink its diagnostics go to.</param>
    /// <param name="first">Runs before the recipe is read (e.g. deleting a stale build manifest); may fail like the rest.</param>
    /// <param name="failed">Runs before a failure is reported (e.g. ending a live progress line).</param>
    public static async Task<ExitCode> RunAsync(
        string recipePath,
        string? projectDirectory,
        TextWriter stdout,
        TextWriter stderr,
        Func<Recipe.Recipe, IDiagnosticSink, Task<ExitCode>> body,
        Action? first = null,
        Action? failed = null)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        ArgumentNullException.ThrowIfNull(body);
        var sink = new ConsoleDiagnosticSink(stderr);
        try
        {
            first?.Invoke();
            var recipe = RecipeFiles.Load(recipePath, projectDirectory, sink);
            return recipe is null ? ExitCode.InvalidRecipe : await body(recipe, sink).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failed?.Invoke();
            return CliErrors.Handle(ex, stderr);
        }
    }
}
