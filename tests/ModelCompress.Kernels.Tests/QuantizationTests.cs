using ModelCompress.Kernels;

namespace ModelCompress.Kernels.Tests;

/// <summary>QuantizeLinear/DequantizeLinear semantics: round half to even, saturation, per-channel layout.</summary>
public class QuantizationTests
{
    [Theory]
    [InlineData(0.5f, 0)]
    [InlineData(1.5f, 2)]
    [InlineData(2.5f, 2)]
    [InlineData(-0.5f, 0)]
    [InlineData(-1.5f, -2)]
    [InlineData(-2.5f, -2)]
    [InlineData(126.5f, 126)]
    [InlineData(125.5f, 126)]
    [InlineData(127.5f, 127)]
    [InlineData(-128.5f, -128)]
    [InlineData(1000f, 127)]
    [InlineData(-1000f, -128)]
    [InlineData(float.PositiveInfinity, 127)]
    [InlineData(float.NegativeInfinity, -128)]
    public void Int8_rounds_half_to_even_and_saturates(float x, int expected)
    {
        Assert.Equal(expected, Quantization.QuantizeInt8(x, 1f, 0));
        var y = new sbyte[40];
        Quantization.Quantize(Enumerable.Repeat(x, 40).ToArray(), 1f, 0, y);
        Assert.All(y, v => Assert.Equal(expected, v));
    }

    [Theory]
    [InlineData(0.25f, 0.5f, 128, 128)]
    [InlineData(0.75f, 0.5f, 128, 130)]
    [InlineData(-0.25f, 0.5f, 128, 128)]
    [InlineData(-0.75f, 0.5f, 128, 126)]
    [InlineData(-3f, 0.1f, 10, 0)]
    [InlineData(30f, 0.1f, 10, 255)]
    public void UInt8_adds_the_zero_point_after_rounding(float x, float scale, int zeroPoint, int expected)
    {
        Assert.Equal(expected, Quantization.QuantizeUInt8(x, scale, zeroPoint));
    }

    [Fact]
    public void NaN_quantizes_to_the_zero_point_in_scalar_and_vector_paths()
    {
        Assert.Equal(-7, Quantization.QuantizeInt8(float.NaN, 0.5f, -7));
        var y = new byte[64];
        Quantization.Quantize(Enumerable.Repeat(float.NaN, 64).ToArray(), 0.5f, 9, y);
        Assert.All(y, v => Assert.Equal(9, v));
    }

    [Fact]
    public void Span_quantization_equals_element_quantization_bit_for_bit()
    {
        // Ties at every step (k + 0.5)·S, random values, and out-of-range values, over lengths not a multiple of 32.
        var rng = new Random(11);
        const float scale = 0.0371f;
        var x = new float[1037];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (i % 3) switch
            {
                0 => (i - 500 + 0.5f) * scale,
                1 => (float)((rng.NextDouble() - 0.5) * 12),
                _ => (float)((rng.NextDouble() - 0.5) * 2),
            };
        }

        var s8 = new sbyte[x.Length];
        Quantization.Quantize(x, scale, -3, s8);
        Assert.Equal(x.Select(v => Quantization.QuantizeInt8(v, scale, -3)), s8);
        var u8 = new byte[x.Length];
        Quantization.Quantize(x, scale, 131, u8);
        Assert.Equal(x.Select(v => Quantization.QuantizeUInt8(v, scale, 131)), u8);
    }

    [Fact]
    public void Dequantize_subtracts_the_zero_point_then_scales()
    {
        var x = new float[3];
        Quantization.Dequantize(new sbyte[] { -128, 0, 127 }, 0.5f, -1, x);
        Assert.Equal([-63.5f, 0.5f, 64f], x);
        Quantization.Dequantize(new byte[] { 0, 128, 255 }, 0.25f, 128, x);
        Assert.Equal([-32f, 0f, 31.75f], x);
    }

    [Fact]
    public void Per_channel_uses_each_channels_scale_and_zero_point()
    {
        // Shape [2, 3, 4] quantized along axis 1: innerSize 4, three channels.
        var rng = new Random(12);
        var x = Enumerable.Range(0, 24).Select(_ => (float)((rng.NextDouble() - 0.5) * 8)).ToArray();
        float[] scales = [0.5f, 0.03f, 2f];
        sbyte[] zeroPoints = [0, 5, -1];
        var y = new sbyte[24];
        Quantization.QuantizePerChannel(x, scales, zeroPoints, 4, y);
        for (int i = 0; i < 24; i++)
        {
            int c = i / 4 % 3;
            Assert.Equal(Quantization.QuantizeInt8(x[i], scales[c], zeroPoints[c]), y[i]);
        }

        var back = new float[24];
        Quantization.DequantizePerChannel(y, scales, zeroPoints, 4, back);
        for (int i = 0; i < 24; i++)
        {
            int c = i / 4 % 3;
            Assert.Equal((y[i] - zeroPoints[c]) * scales[c], back[i]);
        }

        var u = new byte[24];
        Quantization.QuantizePerChannel(x, scales, ReadOnlySpan<byte>.Empty, 4, u);
        Assert.Equal(x.Select((v, i) => Quantization.QuantizeUInt8(v, scales[i / 4 % 3], 0)), u);
    }

    [Fact]
    public void Per_channel_on_the_last_axis_equals_element_quantization()
    {
        // Weights [K, N] with one scale per output column (axis 1, innerSize 1): the vectorized path, with a tail.
        int k = 5, n = 45;
        var rng = new Random(13);
        var x = Enumerable.Range(0, k * n).Select(i => i % 7 == 0 ? (i - 100 + 0.5f) * 0.25f : (float)((rng.NextDouble() - 0.5) * 40)).ToArray();
        x[17] = float.NaN;
        var scales = Enumerable.Range(0, n).Select(j => j % 5 == 0 ? 0.25f : 0.01f + (j * 0.003f)).ToArray();
        var zeroPoints = Enumerable.Range(0, n).Select(j => (sbyte)((j % 9) - 4)).ToArray();
        var y = new sbyte[k * n];
        Quantization.QuantizePerChannel(x, scales, zeroPoints, 1, y);
        Assert.Equal(x.Select((v, i) => Quantization.QuantizeInt8(v, scales[i % n], zeroPoints[i % n])), y);
    }

    [Fact]
    public void Round_trip_error_is_at_most_half_a_step_inside_the_range()
    {
        var p = QuantizationParameters.Asymmetric(-2f, 6f, QuantizedType.UInt8);
        var x = Enumerable.Range(0, 801).Select(i => -2f + (i * 0.01f)).ToArray();
        var q = new byte[x.Length];
        Quantization.Quantize(x, p.Scale, (byte)p.ZeroPoint, q);
        var back = new float[x.Length];
        Quantization.Dequantize(q, p.Scale, (byte)p.ZeroPoint, back);
        for (int i = 0; i < x.Length; i++)
        {
            Assert.True(Math.Abs(back[i] - x[i]) <= (p.Scale / 2) + 1e-6f, $"x={x[i]} back={back[i]}");
        }
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Quantization.Quantize([1f], 0f, 0, new sbyte[1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Quantization.Quantize([1f], float.NaN, 0, new byte[1]));
        Assert.Throws<ArgumentException>(() => Quantization.Quantize([1f, 2f], 1f, 0, new sbyte[1]));
        Assert.Throws<ArgumentException>(() => Quantization.QuantizePerChannel(new float[6], [1f, 1f, 1f, 1f], ReadOnlySpan<sbyte>.Empty, 1, new sbyte[6]));
        Assert.Throws<ArgumentException>(() => Quantization.QuantizePerChannel(new float[6], [1f, 1f], new sbyte[3], 1, new sbyte[6]));
    }
}
