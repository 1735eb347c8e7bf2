namespace ModelCompress.Quantization;

/// <summary>What a quantization run did to a model.</summary>
/// <param name="Layers">Every linear layer and embedding table considered, in graph order, quantized or not.</param>
/// <param name="OpsetRaisedFrom">The model's former default opset when it had to be raised for per-axis quantization; else null.</param>
public sealed record QuantizationResult(IReadOnlyList<QuantizedLayer> Layers, long? OpsetRaisedFrom)
{
    /// <summary>How many layers were quantized.</summary>
    public int QuantizedCount => Layers.Count(l => l.Mode != "float");
}
