namespace ModelCompress.Quantization;

/// <summary>One point of a layer's α search: the smoothing strength and the int8 layer output's error.</summary>
/// <param name="Alpha">α.</param>
/// <param name="Mse">Mean squared error of the simulated int8 output against the float output on the captured rows.</param>
public sealed record AlphaPoint(double Alpha, double Mse);
