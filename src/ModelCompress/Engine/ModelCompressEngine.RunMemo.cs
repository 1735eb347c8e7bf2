using System.Diagnostics;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Recipe;
using ModelCompress.Reports;

namespace ModelCompress.Engine;

/// <summary>A model's run through <see cref="RunMemo"/>: read back when nothing changed, remembered when it passed.</summary>
public static partial class ModelCompressEngine
{
    /// <summary>
    /// The model's run read back when nothing it depends on changed; otherwise <paramref name="compress"/> (the run itself,
    /// reporting to the sink it is given), remembered when it passed.
    /// </summary>
    private static ModelRun CompressModelRemembered(
        Recipe.Recipe recipe, ModelRecipe model, CompressOptions options, OutputTransaction outputs, CacheSession session, ISet<string> inputs,
        RecordingSink sink, Func<RecordingSink, ModelRun> compress)
    {
        var clock = Stopwatch.StartNew();
        var key = RunMemo.Key(recipe, model, options, session, ReferencedFiles(model));
        if (key is not null && RunMemo.TryRead(session, key, options.OutputDirectory) is { } entry)
        {
            foreach (var diagnostic in entry.Diagnostics)
            {
                sink.Report(diagnostic);
            }

            inputs.UnionWith(entry.Inputs);
            foreach (var output in entry.Outputs)
            {
                outputs.Keep(Path.Combine(options.OutputDirectory, output.Path));
            }

            var timings = new ModelTimings(model.Name, clock.Elapsed.TotalMilliseconds, [], 0) { ReadBack = true };
            return new ModelRun(entry.Report, timings, entry.GatePassed, entry.FailOnRegression);
        }

        var capture = new CapturingSink(sink);
        var outputsBefore = outputs.FinalPaths.ToHashSet(StringComparer.Ordinal);
        var run = compress(new RecordingSink(capture));
        if (key is not null && run.GatePassed != false && capture.All.All(d => d.Severity != DiagnosticSeverity.Error))
        {
            Remember(session, key, model, options, outputs, outputsBefore, run, capture.All);
        }

        return run;
    }

    private static void Remember(
        CacheSession session, string key, ModelRecipe model, CompressOptions options, OutputTransaction outputs, HashSet<string> outputsBefore,
        ModelRun run, IReadOnlyList<Diagnostic> diagnostics)
    {
        try
        {
            // Digests of the staged files, which commit renames to the final names unchanged.
            var written = outputs.FinalPaths.Where(p => !outputsBefore.Contains(p))
                .Select(p => new RunMemo.FileDigest(
                    Path.GetRelativePath(options.OutputDirectory, p).Replace('\\', '/'), RunMemo.Digest(session, outputs.TempPathOf(p) ?? p)))
                .ToList();

            // The key names the model file and the files the recipe names; the source's external data files it cannot
            // know without loading the model, so the entry carries them with their digests.
            var named = ReferencedFiles(model).Append(Path.GetFullPath(model.SourcePath)).ToHashSet(StringComparer.Ordinal);
            var externalData = run.SourceFiles.Where(p => !named.Contains(p)).Order(StringComparer.Ordinal)
                .Select(p => new RunMemo.FileDigest(p, RunMemo.Digest(session, p)))
                .ToList();
            RunMemo.Write(session, new RunMemo.Entry(
                key, externalData, written, [.. run.SourceFiles.Union(ReferencedFiles(model), StringComparer.Ordinal)], [.. diagnostics],
                run.Report, run.GatePassed, run.FailOnRegression));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A file that could not be digested: this run is simply not remembered.
        }
    }

    /// <summary>Keeps every diagnostic of a model's run (for the memo to replay) and passes it on.</summary>
    private sealed class CapturingSink(IDiagnosticSink inner) : IDiagnosticSink
    {
        private readonly List<Diagnostic> _all = [];

        public IReadOnlyList<Diagnostic> All => _all;

        public void Report(Diagnostic diagnostic)
        {
            // MC6xxx speak of this run's cache folder (a damaged entry, a failing disk), not of the model: not replayed.
            if (!diagnostic.Code.StartsWith("MC6", StringComparison.Ordinal))
            {
                _all.Add(diagnostic);
            }

            inner.Report(diagnostic);
        }
    }
}
