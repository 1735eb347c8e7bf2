namespace ModelCompress.Reports;

/// <summary>One look-up in the per-layer cache during a run (run-dependent, so it lives under <c>timings</c>).</summary>
/// <param name="Step">The recipe step kind, e.g. <c>quantize</c>.</param>
/// <param name="Kind"><c>layer</c> (a pass's per-layer result) or <c>calibration</c> (the step's input statistics).</param>
/// <param name="Layer">The layer's name; null for calibration.</param>
/// <param name="Hit">Whether the result was read back rather than computed.</param>
/// <param name="Milliseconds">Wall time of the look-up plus, on a miss, the computation and the write.</param>
/// <param name="SavedMilliseconds">On a hit, what computing it had cost minus the read; 0 on a miss.</param>
public sealed record CacheLookup(string Step, string Kind, string? Layer, bool Hit, double Milliseconds, double SavedMilliseconds);
