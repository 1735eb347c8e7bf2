namespace ModelCompress.Recipe;

/// <summary>The integer type of quantized weights (<c>weights:</c>).</summary>
public enum QuantizeWeightType
{
    /// <summary>Signed 8-bit.</summary>
    Int8,

    /// <summary>Signed 4-bit, quantized in blocks of <c>block_size</c> along the reduction axis.</summary>
    Int4,
}
