using ModelCompress.Kernels;

namespace ModelCompress.Kernels.Tests;

public class QuantizationParametersTests
{
    [Fact]
    public void Symmetric_int8_uses_the_restricted_range_and_zero_point_zero()
    {
        var p = QuantizationParameters.Symmetric(12.7f, QuantizedType.Int8);
        Assert.Equal((float)(25.4f / 254.0), p.Scale);
        Assert.Equal(0, p.ZeroPoint);
    }

    [Fact]
    public void Symmetric_uint8_centres_on_128()
    {
        var p = QuantizationParameters.Symmetric(1f, QuantizedType.UInt8);
        Assert.Equal((float)(2.0 / 255.0), p.Scale);
        Assert.Equal(128, p.ZeroPoint);
    }

    [Theory]
    [InlineData(-1f, 3f, QuantizedType.UInt8, 4.0 / 255, 64)] // 0 + 1/(4/255) = 63.75 → 64
    [InlineData(2f, 5f, QuantizedType.UInt8, 5.0 / 255, 0)] // range widened to [0, 5]
    [InlineData(-1f, 1f, QuantizedType.Int8, 2.0 / 255, 0)] // −128 + 127.5 = −0.5 → 0 (half to even)
    [InlineData(-6f, -2f, QuantizedType.Int8, 6.0 / 255, 127)] // range widened to [−6, 0]
    public void Asymmetric_includes_zero_and_rounds_the_zero_point_half_to_even(
        float min, float max, QuantizedType type, double scale, int zeroPoint)
    {
        var p = QuantizationParameters.Asymmetric(min, max, type);
        Assert.Equal((float)scale, p.Scale);
        Assert.Equal(zeroPoint, p.ZeroPoint);
    }

    [Fact]
    public void An_all_zero_range_gets_scale_one()
    {
        Assert.Equal(new QuantizationParameters(1f, 0), QuantizationParameters.Asymmetric(0f, 0f, QuantizedType.UInt8));
        Assert.Equal(new QuantizationParameters(1f, 0), QuantizationParameters.Symmetric(0f, QuantizedType.Int8));
    }

    [Fact]
    public void Non_finite_or_inverted_ranges_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => QuantizationParameters.Symmetric(float.NaN, QuantizedType.Int8));
        Assert.Throws<ArgumentOutOfRangeException>(() => QuantizationParameters.Symmetric(-1f, QuantizedType.Int8));
        Assert.Throws<ArgumentOutOfRangeException>(() => QuantizationParameters.Asymmetric(1f, float.PositiveInfinity, QuantizedType.UInt8));
        Assert.Throws<ArgumentOutOfRangeException>(() => QuantizationParameters.Asymmetric(2f, 1f, QuantizedType.UInt8));
    }
}
