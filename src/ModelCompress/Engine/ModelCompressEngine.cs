using System.Diagnostics;
using ModelCompress.Cache;
using ModelCompress.Diagnostics;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Reports;
using ModelCompress.Reports.Html;

namespace ModelCompress.Engine;

/// <summary>
/// The one entry point the build task and the CLI share: compress every model of a recipe, verify it, and write the
/// outputs atomically. The engine never writes to the console; it reports to an <see cref="IDiagnosticSink"/> and
/// throws <see cref="ModelCompressException"/> for fatal, coded failures.
/// </summary>
public static partial class ModelCompressEngine
{
    /// <summary>The report's file name in the output folder.</summary>
    public const string ReportFileName = "report.json";

    /// <summary>The human-readable report's file name in the output folder (self-contained HTML).</summary>
    public const string ReportHtmlFileName = "report.html";

    /// <summary>
    /// Runs the recipe: for each model, its steps in recipe order (layer by layer, through the per-layer cache when
    /// <see cref="CompressOptions.CacheDirectory"/> is set), then its accuracy gate; writes <c>&lt;name&gt;.onnx</c> and
    /// <c>report.json</c> under <see cref="CompressOptions.OutputDirectory"/>. The manifest is deleted first and written
    /// last, only on success; the depfile is written on success. A cancelled or failed run leaves no final-named
    /// partial file.
    /// </summary>
    public static CompressResult Compress(Recipe.Recipe recipe, CompressOptions options, IDiagnosticSink sink, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sink);
        var total = Stopwatch.StartNew();
        if (options.ManifestPath is { } manifest)
        {
            Guard(manifest, () =>
            {
                if (File.Exists(manifest))
                {
                    File.Delete(manifest);
                }
            });
        }

        var recording = new RecordingSink(sink);
        var inputs = new SortedSet<string>(StringComparer.Ordinal) { Path.GetFullPath(recipe.RecipePath) };
        var cache = options.CacheDirectory is { } dir && recipe.Cache.Enabled ? new DirectoryLayerCache(dir, recording) : null;
        var remote = cache is not null && options.RemoteCache is { } shared ? new RemoteLayerCache(cache, shared, recording) : null;
        var runner = new PassRunner(new CacheSession((ILayerCache?)remote ?? cache, EngineInfo.Version, recording));
        Guard(options.OutputDirectory, () => Directory.CreateDirectory(options.OutputDirectory));
        using var outputs = new OutputTransaction();
        var models = new List<ModelReport>();
        var timings = new List<ModelTimings>();
        var exceeded = false;
        var failing = false;
        var readBack = 0;
        foreach (var model in recipe.Models)
        {
            ct.ThrowIfCancellationRequested();
            var run = CompressModelRemembered(recipe, model, options, outputs, runner.Session, inputs, recording,
                into => CompressModel(recipe, model, options, outputs, runner, inputs, into, ct));
            models.Add(run.Report);
            timings.Add(run.Timings);
            exceeded |= run.GatePassed == false;
            failing |= run.GatePassed == false && run.FailOnRegression;
            readBack += run.Timings.ReadBack == true ? 1 : 0;
        }

        // A run read back whole added nothing to the cache, so there is nothing to trim (walking the folder was most of
        // what such a rerun spent in the engine).
        if (readBack < recipe.Models.Length)
        {
            cache?.ReportTrim(cache.Trim(recipe.Cache.MaxSizeMb * 1048576L), recipe.Cache.MaxSizeMb, recording, recipe.Cache.Location);
        }

        var report = new CompressionReport(
            CompressionReport.CurrentSchema,
            EngineInfo.Version,
            Path.GetFileName(recipe.RecipePath),
            !exceeded,
            models,
            [.. recording.Kept.Select(d => Relative(d, recipe).ToCanonicalString())],
            new RunTimings(total.Elapsed.TotalMilliseconds, timings, runner.CacheHits, runner.CacheMisses)
            {
                CacheSavedMilliseconds = Math.Round(runner.Session.SavedMilliseconds, 3),
                CacheDirectory = cache?.Root,
            });
        var reportPath = Path.Combine(options.OutputDirectory, ReportFileName);
        Guard(reportPath, () => outputs.Stage(reportPath, ReportJson.ToUtf8(report)));
        var htmlPath = Path.Combine(options.OutputDirectory, ReportHtmlFileName);
        Guard(htmlPath, () => outputs.Stage(htmlPath, ReportHtml.ToUtf8(report)));
        ct.ThrowIfCancellationRequested();
        Guard(options.OutputDirectory, outputs.Commit);

        // Write-behind: shared only once the outputs are in place, and never able to fail the run.
        remote?.UploadPending(ct);
        var written = outputs.FinalPaths.Order(StringComparer.Ordinal).ToList();
        if (!failing)
        {
            if (options.DepFilePath is { } depfile)
            {
                Guard(depfile, () => BuildFileLists.Write(depfile, inputs));
            }

            // Last, so its presence means every output above is complete.
            if (options.ManifestPath is { } manifestPath)
            {
                Guard(manifestPath, () =>
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(manifestPath))!);
                    BuildFileLists.Write(manifestPath, written);
                });
            }
        }

        return new CompressResult(report, written, [.. inputs], exceeded) { Succeeded = !failing };
    }

    /// <summary>Runs <paramref name="write"/>, turning I/O failures on <paramref name="path"/> into MC3010.</summary>
    private static void Guard(string path, Action write)
    {
        try
        {
            write();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw EngineDiagnostics.Fail("MC3010", path, path, ex.Message);
        }
    }

    /// <summary>The diagnostic with its file relative to the recipe's folder, so the report does not depend on where the project lives.</summary>
    private static Diagnostic Relative(Diagnostic d, Recipe.Recipe recipe) =>
        d.File is { Length: > 0 } file && Path.IsPathFullyQualified(file)
            ? d with { File = Path.GetRelativePath(Path.GetDirectoryName(recipe.RecipePath)!, file).Replace('\\', '/') }
            : d;
}
