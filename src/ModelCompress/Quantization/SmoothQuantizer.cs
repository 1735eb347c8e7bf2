using ModelCompress.Analysis;

namespace ModelCompress.Quantization;

/// <summary>
/// SmoothQuant (Xiao et al., "SmoothQuant: Accurate and Efficient Post-Training Quantization for Large Language
/// Models", ICML 2023). Activation outliers make per-tensor int8 activations coarse; SmoothQuant divides each input
/// channel j of a linear layer's activation by s_j and multiplies the matching weight row by s_j, which leaves
/// Y = (X·diag(s)⁻¹)·(diag(s)·W) unchanged in exact arithmetic (Eq. 3) and moves quantization difficulty from the
/// activation to the weights. The factor balances both (Eq. 4): s_j = max|X_j|^α / max|W_j|^(1−α).
/// <para>
/// With <c>alpha: auto</c> α is searched per layer as Intel Neural Compressor's auto-α does: (1) capture a bounded
/// set of each layer's input rows on the calibration data; (2) take the α grid of <see cref="AlphaGrid"/>; (3) for each
/// α rescale weights and activations; (4) quantize-dequantize the weights per channel and the inputs per tensor and
/// compute the layer output with the exact int8 kernel of <see cref="Kernels.Int8Gemm"/>; (5) keep the α whose output
/// has the smallest MSE against the float output. Layers that share an input (Q/K/V, gate/up) must share s, so their
/// choices are combined (min, max or mean).
/// </para>
/// <para>
/// 1/s is folded into the op that produces the activation when the graph allows (LayerNorm gamma and beta, an RMSNorm
/// or other constant Mul, a previous linear layer's output columns and bias); otherwise an explicit Mul by 1/s is
/// inserted in front of the group.
/// </para>
/// </summary>
public static partial class SmoothQuantizer
{
    /// <summary>Smallest smoothing factor, so that a dead channel never divides by zero.</summary>
    public const float MinScale = 1e-5f;

    /// <summary>s_j = max|X_j|^α / max|W_j|^(1−α) (Xiao et al. 2023, Eq. 4); 1 where either maximum is 0.</summary>
    public static float[] Scales(ReadOnlySpan<float> activationMax, ReadOnlySpan<float> weightMax, double alpha)
    {
        var s = new float[activationMax.Length];
        for (var j = 0; j < s.Length; j++)
        {
            double a = activationMax[j], w = weightMax[j];
            s[j] = a > 0 && w > 0 && double.IsFinite(a) && double.IsFinite(w)
                ? Math.Max(MinScale, (float)(Math.Pow(a, alpha) / Math.Pow(w, 1 - alpha)))
                : 1f;
        }

        return s;
    }

    internal static string Placement(LayerGroup group, bool fold) =>
        fold && group.Anchor.CanFold
            ? "folded into " + group.Anchor.Describe()
            : "Mul inserted (" + (fold ? group.Anchor.Reason ?? "the producer cannot absorb it" : "fold: false") + ")";
}
