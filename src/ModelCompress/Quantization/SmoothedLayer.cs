namespace ModelCompress.Quantization;

/// <summary>One layer of a smoothed group in the report.</summary>
/// <param name="Name">The layer's node name.</param>
/// <param name="BestAlpha">The α with the smallest error for this layer alone (null for a fixed α).</param>
/// <param name="Curve">The search: error per α (empty for a fixed α).</param>
/// <param name="MseWithoutSmoothing">The int8 error with no smoothing (s = 1), for comparison; null when not searched.</param>
/// <param name="MseAtChosenAlpha">The int8 error at the group's chosen α; null when not searched.</param>
public sealed record SmoothedLayer(string Name, double? BestAlpha, IReadOnlyList<AlphaPoint> Curve, double? MseWithoutSmoothing, double? MseAtChosenAlpha);
