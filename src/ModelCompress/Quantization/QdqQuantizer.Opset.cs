using ModelCompress.Onnx;

namespace ModelCompress.Quantization;

/// <summary>Opset requirements of the QDQ format.</summary>
public static partial class QdqQuantizer
{
    /// <summary>
    /// Makes sure the model may use QuantizeLinear/DequantizeLinear (opset 10) and their per-axis form (opset 13).
    /// Returns the former opset when it was raised, else null.
    /// </summary>
    internal static long? EnsureOpset(OnnxModel model, bool perAxis)
    {
        var opset = model.GetOpsetVersion(string.Empty) ?? 0;
        var needed = perAxis ? PerAxisOpset : 10;
        if (opset >= needed)
        {
            return null;
        }

        OpsetRaiser.Raise(model, PerAxisOpset);
        return opset;
    }
}
