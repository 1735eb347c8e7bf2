namespace ModelCompress.Quantization;

/// <summary>What SmoothQuant did: one entry per smoothed group, in graph order.</summary>
/// <param name="Groups">The groups.</param>
/// <param name="AlphaGrid">The α values searched (empty for a fixed α).</param>
/// <param name="CapturedRows">Activation rows per group used by the search (0 for a fixed α).</param>
public sealed record SmoothQuantResult(IReadOnlyList<SmoothedGroup> Groups, IReadOnlyList<double> AlphaGrid, int CapturedRows);
