namespace ModelCompress.Cache;

/// <summary>What a cache entry holds; each kind has its own folder and its own key derivation.</summary>
public enum CacheEntryKind : byte
{
    /// <summary>A pass's serialized result for one layer (<see cref="Passes.ICompressionPass.ComputeLayer"/>).</summary>
    LayerResult = 1,

    /// <summary>Input statistics of a model's layers on its calibration data.</summary>
    CalibrationStatistics = 2,

    /// <summary>What a caller computed from the values one model segment produced (statistics, outputs).</summary>
    SegmentResult = 3,

    /// <summary>The values crossing the cut after one model segment, for every sample (where a later run resumes).</summary>
    SegmentActivations = 4,
}
