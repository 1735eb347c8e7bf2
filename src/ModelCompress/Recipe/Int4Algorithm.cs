namespace ModelCompress.Recipe;

/// <summary>How int4 weights are rounded (<c>algorithm:</c> of a <c>quantize</c> step with <c>weights: int4</c>).</summary>
public enum Int4Algorithm
{
    /// <summary>Round to nearest, block by block (no calibration data).</summary>
    Rtn,

    /// <summary>GPTQ (Frantar et al., 2022): rounding errors compensated through the inverse Hessian; needs calibration data.</summary>
    Gptq,
}
