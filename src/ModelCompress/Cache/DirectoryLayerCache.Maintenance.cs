using ModelCompress.Data;
using ModelCompress.Diagnostics;
using ModelCompress.Onnx.Diagnostics;

namespace ModelCompress.Cache;

/// <summary>Statistics, size-capped LRU eviction and clearing of <see cref="DirectoryLayerCache"/>.</summary>
public sealed partial class DirectoryLayerCache
{
    /// <summary>
    /// How old a temporary file must be before <see cref="Trim"/> deletes it: younger ones may belong to a run that is
    /// writing right now.
    /// </summary>
    public static readonly TimeSpan StaleTemporaryAge = TimeSpan.FromHours(1);

    private static readonly CacheEntryKind[] Kinds =
        [CacheEntryKind.LayerResult, CacheEntryKind.CalibrationStatistics, CacheEntryKind.SegmentResult, CacheEntryKind.SegmentActivations];

    /// <summary>Counts the entries and their sizes; an absent folder is an empty cache.</summary>
    public CacheStatistics GetStatistics()
    {
        var exists = Directory.Exists(Root);
        var entries = Entries().ToList();
        var temps = TemporaryFiles().ToList();
        var layers = entries.Where(e => e.Kind == CacheEntryKind.LayerResult).ToList();
        var calibration = entries.Where(e => e.Kind == CacheEntryKind.CalibrationStatistics).ToList();
        var segments = entries.Where(e => e.Kind is CacheEntryKind.SegmentResult or CacheEntryKind.SegmentActivations).ToList();
        return new CacheStatistics(
            Root,
            exists,
            File.Exists(Path.Combine(Root, MarkerFileName)),
            layers.Count,
            layers.Sum(e => e.File.Length),
            calibration.Count,
            calibration.Sum(e => e.File.Length),
            temps.Count,
            temps.Sum(t => t.Length),
            entries.Count == 0 ? null : entries.Min(e => e.File.LastWriteTimeUtc),
            entries.Count == 0 ? null : entries.Max(e => e.File.LastWriteTimeUtc))
        {
            SegmentEntries = segments.Count,
            SegmentBytes = segments.Sum(e => e.File.Length),
        };
    }

    /// <summary>
    /// Keeps the entries within <paramref name="maxBytes"/>: removes stale temporary files, then evicts the least
    /// recently used entries (oldest last-use time first, ties by path so the choice is repeatable) until the rest fit.
    /// Entries another run deletes or replaces meanwhile are skipped.
    /// </summary>
    public CacheTrimResult Trim(long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        var staleBefore = DateTime.UtcNow - StaleTemporaryAge;
        var removedTemps = TemporaryFiles().Where(t => t.LastWriteTimeUtc < staleBefore).Count(t => TryDelete(t.FullName));
        var entries = Entries()
            .OrderBy(e => e.File.LastWriteTimeUtc)
            .ThenBy(e => e.File.FullName, StringComparer.Ordinal)
            .ToList();
        var total = entries.Sum(e => e.File.Length);
        var removed = 0;
        var removedBytes = 0L;
        foreach (var (file, _) in entries)
        {
            if (total <= maxBytes)
            {
                break;
            }

            total -= file.Length;
            if (TryDelete(file.FullName))
            {
                removed++;
                removedBytes += file.Length;
            }
        }

        return new CacheTrimResult(removed, removedBytes, total, removedTemps);
    }

    /// <summary>The folder of remembered runs (the engine's <c>RunMemo</c>).</summary>
    public const string RunsFolderName = "runs";

    // Folders beside the entries that hold memos, not entries: file digests, remembered runs, tuning decisions
    // (the engine's TuneDecisionStore writes "tune").
    private static readonly string[] MemoFolderNames = [FileDigestMemo.FolderName, RunsFolderName, "tune"];

    /// <summary>
    /// Deletes every entry, temporary file and the marker; returns how many files went. A folder that exists, is not
    /// empty and has no marker is not a cache: MC6003, and nothing is deleted.
    /// </summary>
    public int Clear()
    {
        if (!Directory.Exists(Root))
        {
            return 0;
        }

        var marker = Path.Combine(Root, MarkerFileName);
        if (!File.Exists(marker) && Directory.EnumerateFileSystemEntries(Root).Any())
        {
            throw EngineDiagnostics.Catalog.Exception("MC6003", Root, Root, MarkerFileName);
        }

        var removed = Entries().Count(e => TryDelete(e.File.FullName)) + TemporaryFiles().Count(t => TryDelete(t.FullName));
        foreach (var kind in Kinds)
        {
            DeleteEmptyFolders(Path.Combine(Root, FolderOf(kind)));
        }

        // The memos beside the entries (file digests, remembered runs, tuning decisions) only save time; they go too,
        // uncounted, so a cleared folder is empty.
        foreach (var memo in MemoFolderNames.Select(name => Path.Combine(Root, name)).Where(Directory.Exists))
        {
            foreach (var file in Directory.EnumerateFiles(memo, "*", SearchOption.AllDirectories))
            {
                TryDelete(file);
            }

            DeleteEmptyFolders(memo);
        }

        removed += TryDelete(marker) ? 1 : 0;
        if (!Directory.EnumerateFileSystemEntries(Root).Any())
        {
            DeleteEmptyFolders(Root);
        }

        return removed;
    }

    /// <summary>Every entry file with its kind; folders that vanish meanwhile are skipped.</summary>
    private IEnumerable<(FileInfo File, CacheEntryKind Kind)> Entries() =>
        Kinds.SelectMany(kind => Files(kind, "*" + EntryExtension).Select(f => (f, kind)));

    private IEnumerable<FileInfo> TemporaryFiles() =>
        Kinds.SelectMany(kind => Files(kind, "*" + AtomicFile.TempSuffix))
            .Concat(SafeEnumerate(new DirectoryInfo(Root), "*" + AtomicFile.TempSuffix, SearchOption.TopDirectoryOnly));

    private IEnumerable<FileInfo> Files(CacheEntryKind kind, string pattern) =>
        SafeEnumerate(new DirectoryInfo(Path.Combine(Root, FolderOf(kind))), pattern, SearchOption.AllDirectories);

    private static List<FileInfo> SafeEnumerate(DirectoryInfo dir, string pattern, SearchOption option)
    {
        try
        {
            // Materialized here so a concurrent deletion surfaces (and is absorbed) now, not in the caller's loop;
            // lengths and times are read while enumerating, so a file deleted afterwards still has its figures.
            // Temporary files start with '.', which counts as hidden on Unix: nothing is skipped by attributes.
            return dir.Exists
                ? [.. dir.EnumerateFiles(pattern, new EnumerationOptions { RecurseSubdirectories = option == SearchOption.AllDirectories, IgnoreInaccessible = true, AttributesToSkip = 0 })]
                : [];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static bool TryDelete(string path)
    {
        try
        {
            if (!File.Exists(path))
            {
                return false;
            }

            File.Delete(path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static void DeleteEmptyFolders(string folder)
    {
        try
        {
            if (!Directory.Exists(folder))
            {
                return;
            }

            foreach (var sub in Directory.EnumerateDirectories(folder))
            {
                DeleteEmptyFolders(sub);
            }

            if (!Directory.EnumerateFileSystemEntries(folder).Any())
            {
                Directory.Delete(folder);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Another run wrote into it meanwhile: keep it.
        }
    }

    /// <summary>Reports MC6004 (info) when <paramref name="trim"/> evicted entries.</summary>
    internal void ReportTrim(CacheTrimResult trim, int maxSizeMb, IDiagnosticSink sink, Recipe.SourceLocation at)
    {
        if (trim.RemovedEntries == 0)
        {
            return;
        }

        sink.Report(EngineDiagnostics.Catalog.Create("MC6004", DiagnosticSeverity.Info, at.File, at.Line, at.Column,
            Root, maxSizeMb, trim.RemovedEntries, Math.Round(trim.RemovedBytes / 1048576.0, 1)));
    }
}
