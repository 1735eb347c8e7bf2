namespace ModelCompress.Cache;

/// <summary>What a cache folder holds (<c>dotnet model-compress cache stats</c>).</summary>
/// <param name="Root">The cache folder.</param>
/// <param name="Exists">Whether the folder exists.</param>
/// <param name="IsTagged">Whether it has the <see cref="DirectoryLayerCache.MarkerFileName"/> marker.</param>
/// <param name="LayerEntries">Per-layer result entries.</param>
/// <param name="LayerBytes">Their total size.</param>
/// <param name="CalibrationEntries">Calibration statistics entries.</param>
/// <param name="CalibrationBytes">Their total size.</param>
/// <param name="TemporaryFiles">Temporary files (writes in progress, or left by a killed run).</param>
/// <param name="TemporaryBytes">Their total size.</param>
/// <param name="OldestUseUtc">The least recently used entry's last use, when there is one.</param>
/// <param name="NewestUseUtc">The most recently used entry's last use, when there is one.</param>
public sealed record CacheStatistics(
    string Root,
    bool Exists,
    bool IsTagged,
    int LayerEntries,
    long LayerBytes,
    int CalibrationEntries,
    long CalibrationBytes,
    int TemporaryFiles,
    long TemporaryBytes,
    DateTime? OldestUseUtc,
    DateTime? NewestUseUtc)
{
    /// <summary>Segment entries (results and activations of model segments).</summary>
    public int SegmentEntries { get; init; }

    /// <summary>Their total size.</summary>
    public long SegmentBytes { get; init; }

    /// <summary>All entries.</summary>
    public int Entries => LayerEntries + CalibrationEntries + SegmentEntries;

    /// <summary>The size of all entries and temporary files.</summary>
    public long TotalBytes => LayerBytes + CalibrationBytes + SegmentBytes + TemporaryBytes;
}
