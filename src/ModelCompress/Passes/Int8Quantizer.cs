using ModelCompress.Quantization;

namespace ModelCompress.Passes;

/// <summary>
/// Symmetric int8 weights as a serializable <see cref="QuantizedLinear"/> (the one quantized-weight type) for the
/// weight-only pass and the per-layer cache. The arithmetic is <see cref="WeightQuantizer"/>'s (the one implementation the static and SmoothQuant paths
/// use too): with r = S·(q − Z) of Jacob et al. 2018 (eq. 1) and Z = 0, each output channel c gets
/// S_c = max|W_c| / 127 and q = clamp(round(w / S_c), −127, 127), half to even like ONNX QuantizeLinear; the restricted
/// range keeps −max and +max exact (Nagel et al. 2021, §2.2). This type adds the checks and the shape bookkeeping.
/// </summary>
internal static class Int8Quantizer
{
    /// <summary>The largest magnitude of the symmetric grid.</summary>
    public const int QMax = 127;

    /// <summary>Quantizes <paramref name="weights"/> (row-major, <paramref name="shape"/>) per index of <paramref name="axis"/>.</summary>
    /// <exception cref="ArgumentException">The weights do not match the shape, or contain NaN or infinity.</exception>
    public static QuantizedLinear QuantizePerChannel(ReadOnlySpan<float> weights, IReadOnlyList<long> shape, int axis)
    {
        Check(weights, shape);
        _ = Split(shape, axis);
        var (values, scales) = WeightQuantizer.Quantize(weights, shape, axis, perChannel: true);
        return new QuantizedLinear(values, [.. shape], scales, axis, null, 0, 0);
    }

    /// <summary>Quantizes <paramref name="weights"/> with one scale for the whole tensor (S = max|W| / 127).</summary>
    /// <exception cref="ArgumentException">The weights do not match the shape, or contain NaN or infinity.</exception>
    public static QuantizedLinear QuantizePerTensor(ReadOnlySpan<float> weights, IReadOnlyList<long> shape)
    {
        Check(weights, shape);
        var (values, scales) = WeightQuantizer.Quantize(weights, shape, -1, perChannel: false);
        return new QuantizedLinear(values, [.. shape], scales, -1, null, 0, 0);
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

    private static void Check(ReadOnlySpan<float> weights, IReadOnlyList<long> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var count = 1L;
        foreach (var d in shape)
        {
            count *= d;
        }

        if (weights.Length != count)
        {
            throw new ArgumentException("weights do not match the shape", nameof(weights));
        }

        foreach (var w in weights)
        {
            if (!float.IsFinite(w))
            {
                throw new ArgumentException("weights contain NaN or infinity", nameof(weights));
            }
        }
    }
}
