namespace ModelCompress.Recipe;

/// <summary>The integer type of quantized activations (<c>activations:</c>).</summary>
public enum QuantizeActivationType
{
    /// <summary>Unsigned 8-bit (asymmetric); matches VNNI's unsigned×signed product.</summary>
    UInt8,

    /// <summary>Signed 8-bit.</summary>
    Int8,
}
