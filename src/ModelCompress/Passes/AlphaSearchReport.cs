using ModelCompress.Quantization;

namespace ModelCompress.Passes;

/// <summary>One layer's SmoothQuant α search (alpha: auto).</summary>
/// <param name="BestAlpha">The α with the smallest simulated int8 output MSE for this layer alone.</param>
/// <param name="MseWithoutSmoothing">The MSE of the int8 output without smoothing (s = 1).</param>
/// <param name="MseAtChosenAlpha">The MSE at the α the layer's group used.</param>
/// <param name="Curve">The MSE at every α of the grid, in grid order.</param>
public sealed record AlphaSearchReport(double? BestAlpha, double? MseWithoutSmoothing, double? MseAtChosenAlpha, IReadOnlyList<AlphaPoint> Curve);
