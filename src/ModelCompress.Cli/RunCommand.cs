using System.CommandLine;
using System.Globalization;
using ModelCompress.Engine;

namespace ModelCompress.Cli;

/// <summary><c>run &lt;recipe&gt;</c>: compress every model of a recipe, verify it and write the outputs.</summary>
public static class RunCommand
{
    /// <summary>The verb's options, as parsed from the command line.</summary>
    /// <param name="Recipe">The recipe file.</param>
    /// <param name="Output">Output folder; null uses the recipe's <c>output:</c> (default <c>compressed</c> beside it).</param>
    /// <param name="CacheDirectory">Per-layer cache folder; null uses obj/modelcompress-cache beside the recipe.</param>
    /// <param name="FailOnRegression">Overrides the recipe's <c>verify.severity</c>; null keeps it.</param>
    /// <param name="Manifest">Output manifest for the build (deleted at start, written last on success).</param>
    /// <param name="DepFile">Input list for the build (written on success).</param>
    /// <param name="ProjectDirectory">The folder recipe paths may not leave; null is the recipe's folder.</param>
    /// <param name="Interactive">Whether stdout is a terminal (live progress line).</param>
    /// <param name="NoCache">Run without the per-layer cache even when the recipe enables it.</param>
    /// <param name="RemoteCache">Container URL of a shared remote cache; null uses $MODELCOMPRESS_REMOTE_CACHE, if set.</param>
    public sealed record Options(
        string Recipe,
        string? Output = null,
        string? CacheDirectory = null,
        bool? FailOnRegression = null,
        string? Manifest = null,
        string? DepFile = null,
        string? ProjectDirectory = null,
        bool Interactive = false,
        bool NoCache = false,
        string? RemoteCache = null);

    /// <summary>Declares the verb and its options.</summary>
    public static Command Create()
    {
        var recipe = new Argument<string>("recipe") { Description = "The compression.yaml recipe." };
        var output = new Option<string?>("--output", "-o") { Description = "Output folder (default: the recipe's 'output:', else 'compressed' beside it)." };
        var cache = new Option<string?>("--cache-dir") { Description = "Per-layer cache folder (default: obj/modelcompress-cache beside the recipe); unchanged layers are read back instead of recomputed." };
        var noCache = new Option<bool>("--no-cache") { Description = "Run without the per-layer cache even when the recipe enables it." };
        var remote = new Option<string?>("--remote-cache")
        {
            Description = "Azure Blob Storage container URL shared by a CI fleet (default: $MODELCOMPRESS_REMOTE_CACHE); credentials only from the environment (docs/cache.md).",
        };
        var fail = new Option<bool?>("--fail-on-regression") { Description = "true: an accuracy regression fails the run (exit 6); false: it is a warning. Default: the recipe's verify.severity." };
        var manifest = new Option<string?>("--manifest") { Description = "Write every output path here, last, on success (for MSBuild)." };
        var depfile = new Option<string?>("--depfile") { Description = "Write every input path read here on success (for MSBuild)." };
        var project = new Option<string?>("--project-dir") { Description = "The folder recipe paths may not leave (default: the recipe's folder)." };
        var command = new Command("run", "Compress every model of a recipe, verify it, and write <name>.onnx and report.json.")
        {
            recipe, output, cache, fail, manifest, depfile, project, noCache, remote,
        };
        command.SetAction((parse, ct) => Invoke(parse, ct, () => new Options(
            parse.GetValue(recipe)!,
            parse.GetValue(output),
            parse.GetValue(cache),
            parse.GetValue(fail),
            parse.GetValue(manifest),
            parse.GetValue(depfile),
            parse.GetValue(project),
            !Console.IsOutputRedirected,
            parse.GetValue(noCache),
            parse.GetValue(remote)), RunAsync));
        return command;
    }

    /// <summary>Runs the verb: results and progress to <paramref name="stdout"/>, diagnostics to <paramref name="stderr"/>.</summary>
    public static Task<ExitCode> RunAsync(Options options, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stdout);
        var progress = new ProgressWriter(stdout, options.Interactive);
        return Verbs.VerbRunner.RunAsync(options.Recipe, options.ProjectDirectory, stdout, stderr, async (recipe, sink) =>
        {
            var cacheFolder = CacheFolders.Resolve(options.Recipe, options.CacheDirectory, options.NoCache);
            var compress = new CompressOptions(options.Output ?? recipe.OutputDirectory)
            {
                CacheDirectory = cacheFolder,
                RemoteCache = CacheFolders.Remote(options.RemoteCache),
                FailOnRegression = options.FailOnRegression,
                ManifestPath = options.Manifest,
                DepFilePath = options.DepFile,
                Progress = progress.Report,
            };
            var result = await Task.Run(() => ModelCompressEngine.Compress(recipe, compress, sink, ct), ct).ConfigureAwait(false);
            progress.Finish();
            await stdout.WriteLineAsync(CacheFolders.Describe(cacheFolder, recipe.Cache.Enabled)).ConfigureAwait(false);
            WriteSummary(result, stdout);
            return result.Succeeded ? ExitCode.Success : ExitCode.AccuracyBudgetExceeded;
        },
        first: () =>
        {
            // Delete a stale manifest before anything can fail, so no earlier success outlives this run.
            // (A manifest whose folder does not exist yet cannot be stale; the engine creates the folder when it writes it.)
            if (options.Manifest is { } stale && File.Exists(stale))
            {
                File.Delete(stale);
            }
        },
        failed: progress.Finish);
    }

    private static void WriteSummary(CompressResult result, TextWriter stdout)
    {
        foreach (var m in result.Report.Models)
        {
            var layers = m.Steps.Sum(s => s.Layers.Count);
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{m.Name}: {Bytes(m.SourceBytes)} -> {Bytes(m.OutputBytes)} ({m.SizeRatio:0.###}x), {layers} layer(s) changed by {string.Join(", ", m.Steps.Select(s => s.Pass))}"));
            if (Verbs.CacheSummaryText.Describe(result.Report, m.Name) is { } cacheLine)
            {
                stdout.WriteLine("  " + cacheLine);
            }

            if (m.Verification is { } v)
            {
                stdout.WriteLine("  " + MetricsText.Describe(v));
            }
        }

        foreach (var file in result.OutputFiles)
        {
            stdout.WriteLine("wrote " + file);
        }
    }

    private static string Bytes(long n) => n >= 1 << 20
        ? string.Create(CultureInfo.InvariantCulture, $"{n / 1048576.0:0.0} MiB")
        : string.Create(CultureInfo.InvariantCulture, $"{n / 1024.0:0.0} KiB");

    /// <summary>Shared action body: build the options, run, map to an int exit code.</summary>
    internal static async Task<int> Invoke<T>(
        ParseResult parse, CancellationToken ct, Func<T> options, Func<T, TextWriter, TextWriter, CancellationToken, Task<ExitCode>> run)
    {
        var config = parse.InvocationConfiguration;
        return (int)await run(options(), config.Output, config.Error, ct).ConfigureAwait(false);
    }
}
