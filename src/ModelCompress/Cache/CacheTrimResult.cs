namespace ModelCompress.Cache;

/// <summary>What <see cref="DirectoryLayerCache.Trim"/> removed.</summary>
/// <param name="RemovedEntries">Entries evicted, least recently used first.</param>
/// <param name="RemovedBytes">Bytes freed by them.</param>
/// <param name="RemainingBytes">Size of the entries left.</param>
/// <param name="RemovedTemporaryFiles">Stale temporary files removed (left by killed runs).</param>
public sealed record CacheTrimResult(int RemovedEntries, long RemovedBytes, long RemainingBytes, int RemovedTemporaryFiles);
