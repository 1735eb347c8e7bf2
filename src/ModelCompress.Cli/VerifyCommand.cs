using System.CommandLine;
using ModelCompress.Engine;

namespace ModelCompress.Cli;

/// <summary><c>verify &lt;recipe&gt;</c>: run only the accuracy gate on outputs an earlier <c>run</c> wrote.</summary>
public static class VerifyCommand
{
    /// <summary>The verb's options.</summary>
    /// <param name="Recipe">The recipe file.</param>
    /// <param name="Output">The folder holding the compressed models; null uses the recipe's <c>output:</c>.</param>
    /// <param name="FailOnRegression">Overrides the recipe's <c>verify.severity</c>; null keeps it.</param>
    /// <param name="ProjectDirectory">The folder recipe paths may not leave; null is the recipe's folder.</param>
    /// <param name="CacheDirectory">Cache folder for the fp32 reference's outputs; null uses obj/modelcompress-cache beside the recipe.</param>
    /// <param name="NoCache">Verify without the cache even when the recipe enables it.</param>
    public sealed record Options(
        string Recipe,
        string? Output = null,
        bool? FailOnRegression = null,
        string? ProjectDirectory = null,
        string? CacheDirectory = null,
        bool NoCache = false);

    /// <summary>Declares the verb and its options.</summary>
    public static Command Create()
    {
        var recipe = new Argument<string>("recipe") { Description = "The compression.yaml recipe." };
        var output = new Option<string?>("--output", "-o") { Description = "Folder holding the compressed models (default: the recipe's 'output:')." };
        var fail = new Option<bool?>("--fail-on-regression") { Description = "true: a regression fails (exit 6); false: it is a warning. Default: the recipe's verify.severity." };
        var project = new Option<string?>("--project-dir") { Description = "The folder recipe paths may not leave (default: the recipe's folder)." };
        var cache = new Option<string?>("--cache-dir") { Description = "Cache folder (default: obj/modelcompress-cache beside the recipe); the fp32 reference's outputs are read back." };
        var noCache = new Option<bool>("--no-cache") { Description = "Verify without the cache even when the recipe enables it." };
        var command = new Command("verify", "Check existing compressed models against their fp32 sources with the recipe's thresholds.")
        {
            recipe, output, fail, project, cache, noCache,
        };
        command.SetAction((parse, ct) => RunCommand.Invoke(parse, ct, () => new Options(
            parse.GetValue(recipe)!, parse.GetValue(output), parse.GetValue(fail), parse.GetValue(project), parse.GetValue(cache), parse.GetValue(noCache)), RunAsync));
        return command;
    }

    /// <summary>Runs the verb; prints one line per model.</summary>
    public static Task<ExitCode> RunAsync(Options options, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Verbs.VerbRunner.RunAsync(options.Recipe, options.ProjectDirectory, stdout, stderr, async (recipe, sink) =>
        {
            var cacheFolder = CacheFolders.Resolve(options.Recipe, options.CacheDirectory, options.NoCache);
            var verifyOptions = new CompressOptions(options.Output ?? recipe.OutputDirectory)
            {
                FailOnRegression = options.FailOnRegression,
                CacheDirectory = cacheFolder,
            };
            var result = await Task.Run(() => ModelCompressEngine.Verify(recipe, verifyOptions, sink, ct), ct).ConfigureAwait(false);
            foreach (var m in result.Models)
            {
                await stdout.WriteLineAsync(m.Report is { } r ? $"{m.Model}: {MetricsText.Describe(r)}" : $"{m.Model}: no verify section, skipped").ConfigureAwait(false);
            }

            await stdout.WriteLineAsync(CacheFolders.Describe(cacheFolder, recipe.Cache.Enabled)).ConfigureAwait(false);
            return result.Succeeded ? ExitCode.Success : ExitCode.AccuracyBudgetExceeded;
        });
    }
}
