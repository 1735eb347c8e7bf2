using ModelCompress.Passes;
using ModelCompress.Quantization;

namespace ModelCompress.Tests.Passes;

public sealed class Int8QuantizerTests
{
    [Fact]
    public void Each_output_channel_gets_absmax_over_127_and_round_half_even_values()
    {
        // MatMul weight [K=2, N=3]: channels are columns (axis 1).
        // Values are chosen so every division is exact in binary floating point.
        float[] w = [63.5f, -127f, 0f,
                     -31.75f, 2.5f, 0f];

        var q = Int8Quantizer.QuantizePerChannel(w, [2, 3], axis: 1);

        Assert.Equal([0.5f, 1f, 1f], q.Scales); // an all-zero channel gets scale 1 (DequantizeLinear forbids 0)
        Assert.Equal(new sbyte[] { 127, -127, 0, -64, 2, 0 }, q.Values); // -63.5 → -64 and 2.5 → 2: ties to even
    }

    [Fact]
    public void Dequantized_error_is_at_most_half_a_step_per_channel_along_axis_zero()
    {
        var rng = new Random(7);
        long[] shape = [4, 3, 2, 2]; // Conv weight [M, C, kh, kw]: channels are M (axis 0).
        var w = Enumerable.Range(0, 48).Select(i => (float)((rng.NextDouble() - 0.5) * (1 + (i / 12)))).ToArray();

        var q = Int8Quantizer.QuantizePerChannel(w, shape, axis: 0);
        var back = q.Dequantize();

        for (var i = 0; i < w.Length; i++)
        {
            var scale = q.Scales[i / 12];
            Assert.InRange(Math.Abs(back[i] - w[i]), 0, (scale / 2) + 1e-7);
        }

        for (var c = 0; c < 4; c++)
        {
            Assert.Equal(127, q.Values.Skip(c * 12).Take(12).Max(v => Math.Abs((int)v)));
        }
    }

    [Fact]
    public void NaN_weights_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => Int8Quantizer.QuantizePerChannel([1f, float.NaN], [2], 0));
    }

    [Fact]
    public void Serialized_result_round_trips_and_damage_is_detected()
    {
        var q = Int8Quantizer.QuantizePerChannel([0.1f, -0.2f, 0.3f, 0.4f, 0.5f, -0.6f], [3, 2], 1);

        var bytes = q.ToBytes();
        var back = QuantizedLinear.FromBytes(bytes);

        Assert.Equal(q.Dims, back.Dims);
        Assert.Equal(q.Axis, back.Axis);
        Assert.Equal(q.Scales, back.Scales);
        Assert.Equal(q.Values, back.Values);
        Assert.Throws<InvalidDataException>(() => QuantizedLinear.FromBytes(bytes[..^1]));
        Assert.Throws<InvalidDataException>(() => QuantizedLinear.FromBytes([.. bytes, 0]));
        Assert.Throws<InvalidDataException>(() => QuantizedLinear.FromBytes(bytes[..10]));
        bytes[0] ^= 1;
        Assert.Throws<InvalidDataException>(() => QuantizedLinear.FromBytes(bytes));
    }
}
