namespace ModelCompress.Reports;

/// <summary>One look-up in the per-layer cache during a run (run-dependent, so it lives under <c>timings</c>).</summary>
/// <param name="Step">The recipe step kind, e.g. <c>quantize</c>.</param>
/// <param name="Kind">
/// <c>layer</c> (a pass's per-layer result), <c>calibration</c> (the step's input statistics) or <c>verification</c>
/// (a model's outputs or per-layer errors on the verify data, for models cut into segments).
/// </param>
/// <param name="Layer">The layer's name; null for calibration.</param>
/// <param name="Hit">Whether the result was read back rather than computed.</param>
/// <param name="Milliseconds">Wall time of the look-up plus, on a miss, the computation and the write.</param>
/// <param name="SavedMilliseconds">On a hit, what computing it had cost minus the read; 0 on a miss.</param>
public sealed record CacheLookup(string Step, string Kind, string? Layer, bool Hit, double Milliseconds, double SavedMilliseconds)
{
    /// <summary>For a model cut into segments: how many segments it has (null otherwise).</summary>
    public int? Segments { get; init; }

    /// <summary>For a model cut into segments: how many of them ONNX Runtime ran (the rest were read back or not needed).</summary>
    public int? SegmentsRun { get; init; }

    /// <summary>True when the hit was read from the shared remote cache (verified, then copied to the local folder).</summary>
    public bool? Remote { get; init; }
}
