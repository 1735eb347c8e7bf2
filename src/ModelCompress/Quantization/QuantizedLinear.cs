using ModelCompress.Kernels;

namespace ModelCompress.Quantization;

/// <summary>
/// One layer's quantization result: int8 weights with their scales (symmetric, zero point 0) and, in static mode,
/// the input's per-tensor range and parameters. Serialized for the per-layer cache; the same bytes always decode to
/// the same result.
/// </summary>
internal sealed record QuantizedLinear(
    sbyte[] Values,
    long[] Dims,
    float[] Scales,
    int Axis,
    QuantizationParameters? Activation,
    float ActivationMin,
    float ActivationMax)
{
    private const int Version = 1;

    public byte[] ToBytes()
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream))
        {
            w.Write(Version);
            w.Write(Dims.Length);
            foreach (var d in Dims)
            {
                w.Write(d);
            }

            w.Write(Axis);
            w.Write(Scales.Length);
            foreach (var s in Scales)
            {
                w.Write(s);
            }

            w.Write(Activation is not null);
            w.Write(Activation?.Scale ?? 0f);
            w.Write(Activation?.ZeroPoint ?? 0);
            w.Write(ActivationMin);
            w.Write(ActivationMax);
            w.Write(Values.Length);
            w.Write((ReadOnlySpan<byte>)System.Runtime.InteropServices.MemoryMarshal.AsBytes(Values.AsSpan()));
        }

        return stream.ToArray();
    }

    public static QuantizedLinear FromBytes(byte[] bytes)
    {
        using var r = new BinaryReader(new MemoryStream(bytes));
        if (r.ReadInt32() != Version)
        {
            throw new InvalidDataException("Unknown quantized layer encoding.");
        }

        var dims = new long[r.ReadInt32()];
        for (var i = 0; i < dims.Length; i++)
        {
            dims[i] = r.ReadInt64();
        }

        var axis = r.ReadInt32();
        var scales = new float[r.ReadInt32()];
        for (var i = 0; i < scales.Length; i++)
        {
            scales[i] = r.ReadSingle();
        }

        var hasActivation = r.ReadBoolean();
        var scale = r.ReadSingle();
        var zeroPoint = r.ReadInt32();
        var min = r.ReadSingle();
        var max = r.ReadSingle();
        var values = new sbyte[r.ReadInt32()];
        r.Read(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        return new QuantizedLinear(values, dims, scales, axis, hasActivation ? new QuantizationParameters(scale, zeroPoint) : null, min, max);
    }

    /// <summary>The weights as float again: q · scale of the value's channel (Jacob et al. 2018, r = S(q − Z), Z = 0).</summary>
    public float[] Dequantize()
    {
        var result = new float[Values.Length];
        var inner = 1L;
        for (var d = Axis + 1; Axis >= 0 && d < Dims.Length; d++)
        {
            inner *= Dims[d];
        }

        for (var i = 0; i < result.Length; i++)
        {
            var channel = Axis < 0 ? 0 : (int)(i / inner % Scales.Length);
            result[i] = Values[i] * Scales[channel];
        }

        return result;
    }

    /// <summary>Quantizes a weight tensor (symmetric int8, per channel along <paramref name="axis"/> or per tensor).</summary>
    public static QuantizedLinear Weight(float[] weights, long[] dims, int axis, bool perChannel, QuantizationParameters? activation = null, float min = 0, float max = 0)
    {
        var (q, scales) = WeightQuantizer.Quantize(weights, dims, axis, perChannel);
        return new QuantizedLinear(q, dims, scales, perChannel ? axis : -1, activation, min, max);
    }
}
