namespace ModelCompress.Analysis;

/// <summary>
/// What produces a linear layer's input activation, as SmoothQuant sees it: whether the inverse smoothing factor
/// 1/s can be folded into that op (Xiao et al. 2023, §4: "the scaling can be fused into the previous layer's
/// parameters offline") or must become an explicit Mul.
/// </summary>
public enum AnchorKind
{
    /// <summary>ONNX LayerNormalization over the last axis: 1/s folds into its scale (gamma) and bias (beta).</summary>
    LayerNorm,

    /// <summary>
    /// An RMSNorm spelled in plain ops, ending in a Mul by the gamma vector (x · rsqrt(mean(x²)+ε) · γ), or the
    /// fused SimplifiedLayerNormalization / RMSNormalization: 1/s folds into γ.
    /// </summary>
    RmsNorm,

    /// <summary>Any other Mul by a constant (per-channel or scalar) vector: 1/s folds into the constant.</summary>
    ConstantMul,

    /// <summary>A previous linear layer (MatMul/Gemm, optionally through its bias Add): 1/s folds into its output columns and bias.</summary>
    Linear,

    /// <summary>Anything else (a graph input, Reshape, GELU output, ...): an explicit Mul by 1/s is inserted.</summary>
    None,
}
