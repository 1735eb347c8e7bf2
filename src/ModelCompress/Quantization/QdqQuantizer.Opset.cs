using ModelCompress.Analysis;
using ModelCompress.Diagnostics;
using ModelCompress.Onnx;

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
        if (!TryEnsureOpset(model, PerAxisOpset, out var raisedFrom, out var blocker))
        {
            throw EngineDiagnostics.Fail("MC3110", model.FilePath, model.GetOpsetVersion(string.Empty) ?? 0, blocker);
        }

        return raisedFrom;
    }

    /// <summary>
    /// The one opset rule of the quantized formats: true when the model's default opset is at least
    /// <paramref name="needed"/> (13 for per-axis DequantizeLinear, 10 per tensor), or was raised to 13 because every
    /// node keeps its meaning there (<paramref name="raisedFrom"/> is then the former opset); otherwise false with the
    /// operator that blocks the raise.
    /// </summary>
    internal static bool TryEnsureOpset(OnnxModel model, long needed, out long? raisedFrom, out string? blocker)
    {
        ArgumentNullException.ThrowIfNull(model);
        raisedFrom = null;
        blocker = null;
        var opset = model.GetOpsetVersion(string.Empty) ?? 0;
        if (opset >= needed)
        {
            return true;
        }

        if (!OpsetUpgrade.CanRaiseTo13(model, out var op))
        {
            blocker = op;
            return false;
        }

        OpsetUpgrade.RaiseTo13(model);
        raisedFrom = opset;
        return true;
    }
}
