namespace ModelCompress.Cli;

/// <summary>One int8 quantize mode in <c>inspect</c>'s output: what it would change.</summary>
/// <param name="Mode">The recipe's name of the mode (weight_only, dynamic, static).</param>
/// <param name="Layers">How many layers it would quantize.</param>
/// <param name="WeightBytes">Their float32 weight bytes.</param>
/// <param name="NeedsCalibration">Whether the mode needs calibration data.</param>
internal sealed record ModeSummary(string Mode, int Layers, long WeightBytes, bool NeedsCalibration);
