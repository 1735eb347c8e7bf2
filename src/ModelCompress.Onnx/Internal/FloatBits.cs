namespace ModelCompress.Onnx.Internal;

/// <summary>Bit-level conversions for 16-bit float formats.</summary>
internal static class FloatBits
{
    /// <summary>bfloat16 is the upper half of an IEEE float32, so widening is a shift.</summary>
    public static float BFloat16ToFloat(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    /// <summary>
    /// Narrows to bfloat16 with round-to-nearest-even on the 16 dropped bits (add 0x7FFF plus the lowest kept bit,
    /// then truncate). NaN is mapped to a quiet NaN so rounding cannot turn it into infinity.
    /// </summary>
    public static ushort FloatToBFloat16(float value)
    {
        if (float.IsNaN(value))
        {
            return 0x7FC0;
        }

        var bits = (uint)BitConverter.SingleToInt32Bits(value);
        var rounded = bits + 0x7FFFu + ((bits >> 16) & 1u);
        return (ushort)(rounded >> 16);
    }
}
