using ModelCompress.Recipe;

namespace ModelCompress.Engine;

/// <summary>What one int8 quantize mode would change in a model (<see cref="ModelCompressEngine.ModeChanges"/>).</summary>
/// <param name="Mode">The quantize mode.</param>
/// <param name="Layers">How many layers it would quantize.</param>
/// <param name="WeightBytes">The float32 bytes of their weights (what becomes about a quarter as int8).</param>
/// <param name="NeedsCalibration">Whether the mode needs calibration data.</param>
public sealed record ModeChange(QuantizeMode Mode, int Layers, long WeightBytes, bool NeedsCalibration);
