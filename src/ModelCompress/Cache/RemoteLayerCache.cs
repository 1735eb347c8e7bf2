using System.Collections.Concurrent;
using ModelCompress.Diagnostics;
using ModelCompress.Onnx.Diagnostics;

namespace ModelCompress.Cache;

/// <summary>
/// The local cache folder backed by a shared store (Azure Blob Storage), as build caches share results across a CI
/// fleet. Read-through: the local folder first, then the store; a remote entry is verified exactly like a local file
/// (magic, version, kind, key, length, SHA-256) before it is used and copied into the local folder. Write-behind: what
/// this run stored (and the calibration parts it reused) is queued and uploaded by <see cref="UploadPending"/> after
/// the run's outputs are committed. Layer results, calibration statistics and segment results (what calibration and
/// verification computed from each model segment: statistics, model outputs, per-layer errors) travel; the activations
/// carried across segment cuts stay local (the large entries, needed only to resume a partly changed model).
/// <para>
/// The store never decides a run's outcome: an unusable URL (MC6100), a store that is down or slow (MC6101, once; the
/// rest of the run is local), a damaged remote entry (MC6102: ignored, computed locally) or failed uploads (MC6103) are
/// warnings, and the outputs are the bytes a run without the store gives.
/// </para>
/// </summary>
public sealed class RemoteLayerCache : ILayerCache
{
    private readonly BlobCacheStore? _store;
    private readonly IDiagnosticSink? _sink;
    private readonly ConcurrentDictionary<CacheKey, bool> _pending = new();
    private volatile bool _down;

    /// <summary>Creates the cache over <paramref name="local"/>; reports MC6100 and stays local when the URL is unusable.</summary>
    public RemoteLayerCache(DirectoryLayerCache local, RemoteCacheOptions options, IDiagnosticSink? sink = null)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(options);
        Local = local;
        _sink = sink;
        _store = BlobCacheStore.Open(options, out var display, out var problem);
        Url = display;
        if (_store is null)
        {
            _down = true;
            Report("MC6100", DiagnosticSeverity.Warning, display, problem);
        }
    }

    /// <summary>The local folder every entry goes through.</summary>
    public DirectoryLayerCache Local { get; }

    /// <summary>The store's URL as shown in messages (no query, no credential).</summary>
    public string Url { get; }

    /// <summary>Entries read from the store (verified, then copied to the local folder).</summary>
    public int RemoteHits => _remoteHits;

    /// <summary>Whether the store failed in this run (the rest of the run used the local folder only).</summary>
    public bool IsDown => _down;

    private int _remoteHits;

    /// <inheritdoc />
    /// <remarks>Opens the local folder's entry only; one that must be downloaded is read with <see cref="TryGet"/>.</remarks>
    public CachedPayload? TryOpen(CacheKey key) => Local.TryOpen(key);

    /// <inheritdoc />
    public CacheEntry? TryGet(CacheKey key)
    {
        if (Local.TryGet(key) is { } local)
        {
            return local;
        }

        if (_down || !Travels(key.Kind))
        {
            return null;
        }

        var bytes = _store!.TryDownload(key, out var failure);
        if (failure.Length > 0)
        {
            GoDown(failure);
            return null;
        }

        if (bytes is null)
        {
            return null;
        }

        if (!CacheEntryFormat.TryDecode(bytes, key, out var entry, out var problem) || entry is null)
        {
            Report("MC6102", DiagnosticSeverity.Warning, _store.NameOf(key), Url, problem);
            return null;
        }

        // Encoding is deterministic, so the local copy holds exactly the bytes that were verified.
        Local.Put(key, entry.Payload, entry.ComputeMilliseconds);
        Interlocked.Increment(ref _remoteHits);
        return entry with { Remote = true };
    }

    /// <inheritdoc />
    public void Put(CacheKey key, ReadOnlySpan<byte> payload, double computeMilliseconds)
    {
        Local.Put(key, payload, computeMilliseconds);
        Queue(key);
    }

    /// <inheritdoc />
    public void Put(CacheKey key, long payloadLength, Action<Stream> writePayload, double computeMilliseconds)
    {
        Local.Put(key, payloadLength, writePayload, computeMilliseconds);
        Queue(key);
    }

    /// <inheritdoc />
    public bool Refresh(CacheKey key)
    {
        // A part reused from the local folder may never have reached the store (written before it was configured):
        // queued too, and the conditional upload makes that a no-op when it is there.
        var present = Local.Refresh(key);
        if (present)
        {
            Queue(key);
        }

        return present;
    }

    /// <summary>
    /// Uploads what this run queued, a few at a time; call it after the run's outputs are committed. Blobs already
    /// there are left alone. Failures are one MC6103 warning, never an exception. Returns the number uploaded.
    /// </summary>
    public int UploadPending(CancellationToken ct = default)
    {
        if (_store is null || _pending.IsEmpty)
        {
            return 0;
        }

        var keys = _pending.Keys.OrderBy(k => k.Kind).ThenBy(k => k.Hex, StringComparer.Ordinal).ToList();
        _pending.Clear();
        var uploaded = 0;
        var failed = 0;
        var reason = string.Empty;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct };
        try
        {
            Parallel.ForEach(keys, parallel, (key, state) =>
            {
                if (!TryReadLocal(key, out var bytes))
                {
                    return; // evicted or unreadable meanwhile: nothing verified to share
                }

                if (_store.TryUpload(key, bytes, out var failure))
                {
                    Interlocked.Increment(ref uploaded);
                }
                else if (failure.Length > 0)
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref reason, failure, string.Empty);
                    state.Stop(); // a store that fails one upload is taken as down: no timeout per entry
                }
            });
        }
        catch (OperationCanceledException)
        {
            return uploaded;
        }

        if (failed > 0)
        {
            Report("MC6103", DiagnosticSeverity.Warning, keys.Count - uploaded, Url, reason);
        }
        else if (uploaded > 0)
        {
            Report("MC6104", DiagnosticSeverity.Info, uploaded, Url);
        }

        return uploaded;
    }

    /// <summary>Whether entries of <paramref name="kind"/> go to the store.</summary>
    internal static bool Travels(CacheEntryKind kind) =>
        kind is CacheEntryKind.LayerResult or CacheEntryKind.CalibrationStatistics or CacheEntryKind.SegmentResult;

    private void Queue(CacheKey key)
    {
        if (_store is not null && Travels(key.Kind))
        {
            _pending.TryAdd(key, true);
        }
    }

    private bool TryReadLocal(CacheKey key, out byte[] bytes)
    {
        bytes = [];
        try
        {
            bytes = File.ReadAllBytes(Local.PathOf(key));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        // Only a verified entry is shared: a file damaged on this machine must not spread to the fleet.
        return CacheEntryFormat.TryDecode(bytes, key, out _, out _);
    }

    private void GoDown(string reason)
    {
        if (!_down)
        {
            _down = true;
            Report("MC6101", DiagnosticSeverity.Warning, Url, reason);
        }
    }

    private void Report(string code, DiagnosticSeverity severity, params object?[] args) =>
        _sink?.Report(EngineDiagnostics.Catalog.Create(code, severity, null, 0, 0, args));
}
