using ModelCompress.Data;
using ModelCompress.Diagnostics;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Passes;

namespace ModelCompress.Cache;

/// <summary>
/// A content-addressed cache in a folder: <c>layers/ab/abcdef….mce</c> for per-layer results and
/// <c>calibration/ab/….mce</c> for calibration statistics, each file in <see cref="CacheEntryFormat"/>, plus a
/// <c>CACHEDIR.TAG</c> marker (backup tools skip the folder, and <c>cache clear</c> only empties a folder that has it).
/// <para>
/// Reads verify everything (magic, version, kind, key, length, SHA-256); a damaged entry is reported as MC6001,
/// deleted and treated as a miss, so it is recomputed and never trusted. Writes go to a temporary file renamed over
/// the final name, so two runs sharing the cache never see a torn entry: concurrent writers of one key write the same
/// payload and the last rename wins. A hit sets the file's write time to now, which is the "last used" time the
/// least-recently-used eviction (<see cref="Trim"/>) orders by. I/O failures are MC6002 warnings: the cache is an
/// accelerator, so a read-only or full disk costs speed, never the run (after a failed write, later writes of the same
/// instance are skipped). An instance is used by one run at a time; runs share the folder, not the instance.
/// </para>
/// </summary>
public sealed partial class DirectoryLayerCache : ILayerCache
{
    /// <summary>The marker file naming a folder as a cache (the Cache Directory Tagging convention).</summary>
    public const string MarkerFileName = "CACHEDIR.TAG";

    /// <summary>The file extension of entries.</summary>
    public const string EntryExtension = ".mce";

    private const string MarkerText =
        "Signature: 8a477f597d28d172789f06886806bc55\n" +
        "# This folder is a ModelCompress.Build per-layer cache; it can be deleted at any time.\n" +
        "# Backup tools that follow the Cache Directory Tagging convention skip it.\n";

    private readonly IDiagnosticSink? _sink;
    private bool _markerWritten;
    private bool _writesFailed;

    /// <summary>Creates a cache rooted at <paramref name="directory"/> (created on first write).</summary>
    /// <param name="directory">The cache folder.</param>
    /// <param name="sink">Receives MC6001/MC6002 warnings; null drops them.</param>
    public DirectoryLayerCache(string directory, IDiagnosticSink? sink = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Root = Path.GetFullPath(directory);
        _sink = sink;
    }

    /// <summary>The cache folder's full path.</summary>
    public string Root { get; }

    /// <inheritdoc />
    public CacheEntry? TryGet(CacheKey key)
    {
        var path = PathOf(key);
        CacheEntry? entry;
        string problem;
        try
        {
            // The header, then the payload straight into the array the entry hands out (no copy of a large payload).
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
            var length = file.Length;
            if (length < CacheEntryFormat.HeaderLength || length - CacheEntryFormat.HeaderLength > Array.MaxLength)
            {
                var bytes = new byte[Math.Min(length, CacheEntryFormat.HeaderLength)];
                file.ReadExactly(bytes);
                CacheEntryFormat.TryDecode(bytes, key, out entry, out problem);
            }
            else
            {
                Span<byte> header = stackalloc byte[CacheEntryFormat.HeaderLength];
                file.ReadExactly(header);
                var payload = GC.AllocateUninitializedArray<byte>((int)(length - CacheEntryFormat.HeaderLength));
                file.ReadExactly(payload);
                var tail = file.Read(stackalloc byte[1]); // a file that grew meanwhile is not what the header describes
                CacheEntryFormat.TryDecode(header, payload, key, out entry, out problem);
                problem = tail > 0 && problem.Length == 0 ? "the file is longer than it was when opened" : problem;
            }
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Warn("MC6002", path, path, "read", ex.Message);
            return null;
        }

        if (problem.Length > 0 || entry is null)
        {
            Warn("MC6001", path, path, problem);
            AtomicFile.TryDelete(path);
            return null;
        }

        Touch(path);
        return entry;
    }

    /// <inheritdoc />
    public void Put(CacheKey key, ReadOnlySpan<byte> payload, double computeMilliseconds)
    {
        // After one failed write the folder is taken as unwritable for this run: one warning, not one per layer.
        if (_writesFailed)
        {
            return;
        }

        var path = PathOf(key);
        try
        {
            EnsureMarker();
            WriteAtomically(path, CacheEntryFormat.Encode(key, payload, computeMilliseconds));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _writesFailed = true;
            Warn("MC6002", path, path, "written", ex.Message);
        }
    }

    /// <inheritdoc />
    public void Put(CacheKey key, long payloadLength, Action<Stream> writePayload, double computeMilliseconds)
    {
        if (_writesFailed)
        {
            return;
        }

        var path = PathOf(key);
        var temp = string.Empty;
        try
        {
            EnsureMarker();
            temp = AtomicFile.CreateTempPath(path);
            using (var file = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 1 << 16,
                PreallocationSize = CacheEntryFormat.HeaderLength + payloadLength,
            }))
            {
                CacheEntryFormat.Write(file, key, payloadLength, writePayload, computeMilliseconds);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            DeleteTemp(temp);
            _writesFailed = true;
            Warn("MC6002", path, path, "written", ex.Message);
        }
        catch
        {
            DeleteTemp(temp);
            throw;
        }
    }

    /// <inheritdoc />
    public bool Refresh(CacheKey key)
    {
        try
        {
            File.SetLastWriteTimeUtc(PathOf(key), DateTime.UtcNow);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Absent (FileNotFound/DirectoryNotFound are IOExceptions), or not ours to touch: written again if needed.
            return false;
        }
    }

    /// <summary>The stored result of one layer's work, or null (convenience over <see cref="TryGet(CacheKey)"/>).</summary>
    public byte[]? TryGet(LayerWorkKey key) => TryGet(CacheKey.ForLayer(key))?.Payload;

    /// <summary>Stores one layer's result (convenience over <see cref="Put(CacheKey, ReadOnlySpan{byte}, double)"/>).</summary>
    public void Put(LayerWorkKey key, ReadOnlySpan<byte> result) => Put(CacheKey.ForLayer(key), result, 0);

    /// <summary>The file that holds (or would hold) the entry for <paramref name="key"/>.</summary>
    public string PathOf(CacheKey key) => Path.Combine(Root, FolderOf(key.Kind), key.Hex[..2], key.Hex + EntryExtension);

    /// <summary>The sub-folder of each kind.</summary>
    internal static string FolderOf(CacheEntryKind kind) => kind switch
    {
        CacheEntryKind.LayerResult => "layers",
        CacheEntryKind.CalibrationStatistics => "calibration",
        CacheEntryKind.SegmentResult => "segments",
        CacheEntryKind.SegmentActivations => "activations",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>
    /// Temporary file plus rename, without the flush to disk that <see cref="AtomicFile"/> does for outputs: after a
    /// crash an entry may come back empty or short, and the read-side verification turns that into a recomputation.
    /// </summary>
    private static void WriteAtomically(string path, byte[] bytes)
    {
        var temp = AtomicFile.CreateTempPath(path);
        try
        {
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            AtomicFile.TryDelete(temp);
            throw;
        }
    }

    private static void DeleteTemp(string temp)
    {
        if (temp.Length > 0)
        {
            AtomicFile.TryDelete(temp);
        }
    }

    /// <summary>Marks the entry as just used; best effort (an entry evicted meanwhile by another run is fine).</summary>
    private static void Touch(string path)
    {
        try
        {
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    private void EnsureMarker()
    {
        if (_markerWritten)
        {
            return;
        }

        var marker = Path.Combine(Root, MarkerFileName);
        if (!File.Exists(marker))
        {
            Directory.CreateDirectory(Root);
            WriteAtomically(marker, System.Text.Encoding.ASCII.GetBytes(MarkerText));
        }

        _markerWritten = true;
    }

    private void Warn(string code, string file, params object?[] args) =>
        _sink?.Report(EngineDiagnostics.Catalog.Create(code, DiagnosticSeverity.Warning, file, 0, 0, args));
}
