using System.CommandLine;
using System.Globalization;
using ModelCompress.Engine;
using ModelCompress.Recipe;
using ModelCompress.Reports;

namespace ModelCompress.Cli.Verbs;

/// <summary>
/// <c>tune &lt;recipe&gt;</c>: the search <c>dotnet build</c> runs for models with <c>tune:</c>, by hand. It runs the
/// recipe exactly as <c>run</c> does (same engine call, same outputs), then prints each tuned model's trials and the
/// chosen steps as YAML to paste over the <c>tune:</c> section.
/// </summary>
public static class TuneCommand
{
    /// <summary>The verb's options.</summary>
    /// <param name="Recipe">The recipe file.</param>
    /// <param name="Output">Output folder; null uses the recipe's <c>output:</c>.</param>
    /// <param name="CacheDirectory">Per-layer cache folder (also holds the tuning decision); null runs without one.</param>
    /// <param name="YamlOnly">Print only the chosen steps as YAML (for scripts and pasting).</param>
    /// <param name="ProjectDirectory">The folder recipe paths may not leave; null is the recipe's folder.</param>
    public sealed record Options(string Recipe, string? Output = null, string? CacheDirectory = null, bool YamlOnly = false, string? ProjectDirectory = null);

    /// <summary>Declares the verb.</summary>
    public static Command Create()
    {
        var recipe = new Argument<string>("recipe") { Description = "The compression.yaml recipe." };
        var output = new Option<string?>("--output", "-o") { Description = "Output folder (default: the recipe's 'output:', else 'compressed' beside it)." };
        var cache = new Option<string?>("--cache-dir") { Description = "Per-layer cache folder; candidates share calibration and layer results, and the decision is kept for the next run." };
        var yaml = new Option<bool>("--yaml") { Description = "Print only the chosen steps as YAML." };
        var project = new Option<string?>("--project-dir") { Description = "The folder recipe paths may not leave (default: the recipe's folder)." };
        var command = new Command("tune", "Run the accuracy-driven search of the recipe's 'tune:' sections and print the chosen steps as YAML.")
        {
            recipe, output, cache, yaml, project,
        };
        command.SetAction((parse, ct) => RunCommand.Invoke(parse, ct, () => new Options(
            parse.GetValue(recipe)!, parse.GetValue(output), parse.GetValue(cache), parse.GetValue(yaml), parse.GetValue(project)), RunAsync));
        return command;
    }

    /// <summary>Runs the verb: trials and YAML to <paramref name="stdout"/>, diagnostics to <paramref name="stderr"/>.</summary>
    public static Task<ExitCode> RunAsync(Options options, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        return VerbRunner.RunAsync(options.Recipe, options.ProjectDirectory, stdout, stderr, async (recipe, sink) =>
        {
            if (!recipe.Models.Any(m => m.Tune is not null))
            {
                await stderr.WriteLineAsync($"{options.Recipe}: no model has a 'tune:' section; nothing to search.").ConfigureAwait(false);
                return ExitCode.UsageError;
            }

            var compress = new CompressOptions(options.Output ?? recipe.OutputDirectory) { CacheDirectory = options.CacheDirectory };
            var result = await Task.Run(() => ModelCompressEngine.Compress(recipe, compress, sink, ct), ct).ConfigureAwait(false);
            foreach (var model in recipe.Models.Where(m => m.Tune is not null))
            {
                var tuning = result.Report.Models.First(m => m.Name == model.Name).Tuning!;
                if (!options.YamlOnly)
                {
                    WriteTrials(model.Name, tuning, stdout);
                }

                var steps = ModelCompressEngine.TuneCandidateSteps(model, tuning.Chosen);
                await stdout.WriteAsync((options.YamlOnly ? string.Empty : "# " + model.Name + ": paste over its 'tune:' section\n")
                    + StepYaml.Write(steps, indent: 4)).ConfigureAwait(false);
            }

            return result.Succeeded ? ExitCode.Success : ExitCode.AccuracyBudgetExceeded;
        });
    }

    private static void WriteTrials(string name, TuningReport t, TextWriter stdout)
    {
        stdout.WriteLine($"{name}: objective {t.Objective}, {t.Candidates} candidate(s)" + (t.FromCache ? ", decision read back (no trials)" : string.Empty));
        foreach (var trial in t.Trials)
        {
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  #{trial.Candidate,-3} {(trial.Passed ? "pass" : "FAIL")}  {trial.OutputBytes,12:N0} B  {trial.LatencyMs,9:0.00} ms  {trial.Milliseconds / 1000,6:0.0} s  {trial.Label}"));
        }

        stdout.WriteLine($"  chose #{t.Chosen} {t.ChosenLabel}: {t.Reason}");
    }
}
