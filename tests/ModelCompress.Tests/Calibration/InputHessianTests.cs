using ModelCompress.Calibration;
using ModelCompress.Onnx;
using ModelCompress.Passes;

namespace ModelCompress.Tests.Calibration;

/// <summary>The streamed Hessian: equal to XᵀX computed at once, independent of how rows arrive, and carried exactly through the statistics encoding.</summary>
public sealed class InputHessianTests
{
    [Fact]
    public void Streaming_sample_by_sample_gives_exactly_xtx()
    {
        const int k = 7;
        var x = new DeterministicRandom(3).Uniform(30 * k, 2f);
        var streamed = new InputHessian(k);
        streamed.Add(x.AsSpan(0, 10 * k));
        streamed.Add(x.AsSpan(10 * k, 20 * k));

        var h = streamed.Matrix();

        Assert.Equal(30, streamed.Rows);
        for (var i = 0; i < k; i++)
        {
            for (var j = 0; j < k; j++)
            {
                var s = 0.0;
                for (var r = 0; r < 30; r++)
                {
                    s += (double)x[(r * k) + i] * x[(r * k) + j];
                }

                Assert.Equal(s, h[(i * k) + j], 10);
                Assert.Equal(h[(j * k) + i], h[(i * k) + j]);
            }
        }
    }

    [Fact]
    public void The_hessian_section_round_trips_and_leaves_the_other_sections_encoding_unchanged()
    {
        const int k = 5;
        var hessian = new InputHessian(k);
        hessian.Add(new DeterministicRandom(8).Uniform(4 * k, 1f));
        var plain = new LayerInputStatistics(new float[k], new float[k], new float[k], 3, rows: new float[2 * k]);
        var with = new LayerInputStatistics(new float[k], new float[k], new float[k], 3, rows: new float[2 * k]) { Hessian = hessian };

        var plainBytes = plain.ToBytes();
        var bytes = with.ToBytes();

        Assert.Equal(plainBytes, bytes[..plainBytes.Length]);
        Assert.Equal((byte)'X', bytes[plainBytes.Length]);
        Assert.True(LayerInputStatistics.TryFromBytes(bytes, out var back));
        Assert.Equal(hessian.Matrix(), back.Hessian!.Matrix());
        Assert.Equal(4, back.Hessian.Rows);
        Assert.Equal(bytes, back.ToBytes());
        Assert.False(LayerInputStatistics.TryFromBytes(bytes[..^3], out _));
    }
}
