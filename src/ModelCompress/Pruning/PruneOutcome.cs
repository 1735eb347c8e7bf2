namespace ModelCompress.Pruning;

/// <summary>What happened to one layer besides the plain method, so a cached result reports the same warnings.</summary>
[Flags]
public enum PruneOutcome : byte
{
    /// <summary>Pruned by the step's method.</summary>
    None = 0,

    /// <summary>Calibration input all zeros: pruned by magnitude instead (MC4001).</summary>
    ZeroCalibration = 1,

    /// <summary>A Conv under an activation-aware method: pruned by magnitude (MC4003).</summary>
    ConvByMagnitude = 2,

    /// <summary>The N:M pattern does not tile the layer's reduction: left dense (MC4002).</summary>
    LeftDense = 4,

    /// <summary>The PST fit did not lower the output error: the |W| mask was kept (MC4004).</summary>
    PstNoGain = 8,
}
