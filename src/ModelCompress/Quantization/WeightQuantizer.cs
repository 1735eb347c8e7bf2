using ModelCompress.Kernels;
using Q = ModelCompress.Kernels.Quantization;

namespace ModelCompress.Quantization;

/// <summary>
/// Symmetric int8 weight quantization (Jacob et al. 2018, Eq. 1 with Z = 0): per output channel c,
/// S_c = max|W_c| / 127 and q = clamp(round_half_even(w / S_c), −127, 127) — the restricted range ONNX Runtime's
/// tools use, so that negating a weight never saturates.
/// </summary>
public static class WeightQuantizer
{
    /// <summary>
    /// Quantizes <paramref name="weights"/> (any layout) viewed as [outer, channels, inner] along
    /// <paramref name="axis"/> of <paramref name="dims"/>; one scale per channel, or one for the whole tensor when
    /// <paramref name="perChannel"/> is false.
    /// </summary>
    public static (sbyte[] Values, float[] Scales) Quantize(ReadOnlySpan<float> weights, IReadOnlyList<long> dims, int axis, bool perChannel)
    {
        ArgumentNullException.ThrowIfNull(dims);
        var q = new sbyte[weights.Length];
        if (!perChannel)
        {
            var p = QuantizationParameters.Symmetric(TensorReductions.AbsMax(weights), QuantizedType.Int8);
            Q.Quantize(weights, p.Scale, 0, q);
            return (q, [p.Scale]);
        }

        var channels = (int)dims[axis];
        var inner = 1;
        for (var d = axis + 1; d < dims.Count; d++)
        {
            inner *= (int)dims[d];
        }

        var absMax = new float[channels];
        TensorReductions.AbsMaxPerChannel(weights, inner, absMax);
        var scales = new float[channels];
        for (var c = 0; c < channels; c++)
        {
            scales[c] = QuantizationParameters.Symmetric(absMax[c], QuantizedType.Int8).Scale;
        }

        Q.QuantizePerChannel(weights, scales, ReadOnlySpan<sbyte>.Empty, inner, q);
        return (q, scales);
    }

    /// <summary>Quantizes a row-major [K, N] matrix per column (output channel) and returns the dequantized copy (fake quantization).</summary>
    public static float[] FakeQuantizeColumns(ReadOnlySpan<float> weightsKN, int k, int n, out sbyte[] values, out float[] scales)
    {
        (values, scales) = Quantize(weightsKN, [k, n], 1, perChannel: true);
        var result = new float[values.Length];
        Q.DequantizePerChannel(values, scales, ReadOnlySpan<sbyte>.Empty, 1, result);
        return result;
    }
}
