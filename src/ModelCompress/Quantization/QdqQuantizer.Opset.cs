using ModelCompress.Analysis;
using ModelCompress.Diagnostics;
using ModelCompress.Onnx;
using ModelCompress.Passes;

namespace ModelCompress.Quantization;

/// <summary>Opset requirements of the QDQ format.</summary>
public static partial class QdqQuantizer
{
    /// <summary>
    /// Makes sure the model may use QuantizeLinear/DequantizeLinear with a per-axis scale (opset 13), raising an
    /// older default opset when every node keeps its meaning (<see cref="OpsetUpgrade"/>), else MC3110. Returns the
    /// former opset when it was raised, else null.
    /// </summary>
    internal static long? EnsureOpset(OnnxModel model)
    {
        var opset = model.GetOpsetVersion(string.Empty) ?? 0;
        if (opset >= PerAxisOpset)
        {
            return null;
        }

        if (!OpsetUpgrade.CanRaiseTo13(model, out var blocker))
        {
            throw EngineDiagnostics.Fail("MC3110", model.FilePath, opset, blocker);
        }

        OpsetUpgrade.RaiseTo13(model);
        return opset;
    }
}
