namespace ModelCompress.Engine.Cache;

/// <summary>What a cache entry holds; each kind has its own folder and its own key derivation.</summary>
public enum CacheEntryKind : byte
{
    /// <summary>A pass's serialized result for one layer (<see cref="Passes.ICompressionPass.ComputeLayer"/>).</summary>
    LayerResult = 1,

    /// <summary>Input statistics of a model's layers on its calibration data.</summary>
    CalibrationStatistics = 2,
}
