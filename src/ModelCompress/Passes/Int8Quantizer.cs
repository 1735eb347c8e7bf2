namespace ModelCompress.Passes;

/// <summary>
/// Symmetric per-channel int8 quantization of weights. With the affine mapping r = S·(q − Z) of Jacob et al.,
/// "Quantization and Training of Neural Networks for Efficient Integer-Arithmetic-Only Inference" (CVPR 2018, eq. 1)
/// and Z = 0 (symmetric), each output channel c gets S_c = max|W_c| / 127 and q = clamp(round(w / S_c), −127, 127).
/// The restricted range [−127, 127] keeps the grid symmetric so −max and +max are both exact (Nagel et al., "A White
/// Paper on Neural Network Quantization", 2021, §2.2). Rounding is half-to-even, matching ONNX QuantizeLinear.
/// </summary>
public static class Int8Quantizer
{
    /// <summary>The largest magnitude of the symmetric grid.</summary>
    public const int QMax = 127;

    /// <summary>Quantizes <paramref name="weights"/> (row-major, <paramref name="shape"/>) per index of <paramref name="axis"/>.</summary>
    public static QuantizedWeight QuantizePerChannel(ReadOnlySpan<float> weights, IReadOnlyList<long> shape, int axis)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var (outer, channels, inner) = Split(shape, axis);
        if (weights.Length != outer * channels * inner)
        {
            throw new ArgumentException("weights do not match the shape", nameof(weights));
        }

        var absMax = new float[channels];
        for (long o = 0; o < outer; o++)
        {
            for (var c = 0; c < channels; c++)
            {
                var row = weights.Slice((int)(((o * channels) + c) * inner), (int)inner);
                foreach (var w in row)
                {
                    if (!float.IsFinite(w))
                    {
                        throw new ArgumentException("weights contain NaN or infinity", nameof(weights));
                    }

                    absMax[c] = Math.Max(absMax[c], Math.Abs(w));
                }
            }
        }

        // An all-zero channel would get scale 0, which DequantizeLinear forbids; any positive scale maps it to q = 0.
        var scales = absMax.Select(m => m > 0 ? m / QMax : 1f).ToArray();
        var values = new sbyte[weights.Length];
        for (long o = 0; o < outer; o++)
        {
            for (var c = 0; c < channels; c++)
            {
                var baseIndex = (int)(((o * channels) + c) * inner);
                var s = scales[c];
                for (var i = 0; i < inner; i++)
                {
                    var q = Math.Round(weights[baseIndex + i] / s, MidpointRounding.ToEven);
                    values[baseIndex + i] = (sbyte)Math.Clamp(q, -QMax, QMax);
                }
            }
        }

        return new QuantizedWeight(shape, axis, scales, values);
    }

    /// <summary>Quantizes <paramref name="weights"/> with one scale for the whole tensor (S = max|W| / 127).</summary>
    public static QuantizedWeight QuantizePerTensor(ReadOnlySpan<float> weights, IReadOnlyList<long> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var flat = QuantizePerChannel(weights, [weights.Length, 1], axis: 1);
        return new QuantizedWeight(shape, -1, flat.Scales, flat.Values);
    }

    /// <summary>Splits a shape around <paramref name="axis"/> into (elements before, channels, elements after).</summary>
    public static (long Outer, int Channels, long Inner) Split(IReadOnlyList<long> shape, int axis)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentOutOfRangeException.ThrowIfNegative(axis);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(axis, shape.Count);
        long outer = 1, inner = 1;
        for (var i = 0; i < axis; i++)
        {
            outer *= shape[i];
        }

        for (var i = axis + 1; i < shape.Count; i++)
        {
            inner *= shape[i];
        }

        return (outer, checked((int)shape[axis]), inner);
    }
}
