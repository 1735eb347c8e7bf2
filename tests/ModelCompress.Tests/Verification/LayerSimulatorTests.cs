using ModelCompress.Kernels;
using ModelCompress.Onnx;
using ModelCompress.Passes;
using ModelCompress.Verification;

namespace ModelCompress.Tests.Verification;

/// <summary>
/// The int8 layer simulation against a float reference worked out here: quantize-dequantize the input and the weight
/// (ONNX QuantizeLinear/DequantizeLinear semantics) and multiply in double. The kernel's int32 sums are exact, so the
/// two may differ only by the float epilogue's rounding.
/// </summary>
public sealed class LayerSimulatorTests
{
    [Fact]
    public void MatMul_with_static_uint8_activations_matches_the_fake_quantized_float_product()
    {
        const int m = 5, k = 37, n = 19;
        var w = QdqTestModels.Uniform(k * n, 0.5, 1);
        var x = QdqTestModels.Uniform(m * k, 1.2, 2); // beyond the activation range below: some values saturate
        var q = Int8Quantizer.QuantizePerChannel(w, [k, n], 1);
        var p = new QuantizationParameters(2f / 255, 128);
        var layer = new QuantizedLayerView("/fc/MatMul", new OnnxNode("MatMul", ["x", "w"], ["y"], "/fc/MatMul"),
            q.Values, [k, n], q.Scales, null, (p, QuantizedType.UInt8));

        var y = new LayerSimulator(layer).Run(x, [m, k]);

        var wq = q.Dequantize();
        var expected = new double[m * n];
        for (var r = 0; r < m; r++)
        {
            for (var c = 0; c < n; c++)
            {
                for (var i = 0; i < k; i++)
                {
                    expected[(r * n) + c] += QdqTestModels.FakeQuantize(x[(r * k) + i], p.Scale, p.ZeroPoint) * wq[(i * n) + c];
                }
            }
        }

        AssertClose(expected, y, 1e-5);
    }

    [Fact]
    public void Conv_with_padding_stride_dilation_and_groups_matches_a_direct_convolution()
    {
        // x [2, 4, 9, 8], weight [6, 2, 3, 3], group 2, stride 2, dilation (1, 2), pads (1, 2, 0, 1), bias.
        const int batch = 2, c = 4, h = 9, wd = 8, mOut = 6, groups = 2, cg = 2, kh = 3, kw = 3;
        var weights = QdqTestModels.Uniform(mOut * cg * kh * kw, 0.4, 3);
        var bias = QdqTestModels.Uniform(mOut, 0.1, 4);
        var x = QdqTestModels.Uniform(batch * c * h * wd, 1.0, 5);
        var q = Int8Quantizer.QuantizePerChannel(weights, [mOut, cg, kh, kw], 0);
        var node = new OnnxNode("Conv", ["x", "w", "b"], ["y"], "conv")
            .SetAttribute("group", groups).SetAttribute("strides", [2L, 2L]).SetAttribute("dilations", [1L, 2L])
            .SetAttribute("pads", [1L, 2L, 0L, 1L]);
        var layer = new QuantizedLayerView("conv", node, q.Values, [mOut, cg, kh, kw], q.Scales, bias, null);

        var y = new LayerSimulator(layer).Run(x, [batch, c, h, wd]);

        // Dynamic parameters: uint8 over [min(x, 0), max(x, 0)], as DynamicQuantizeLinear.
        var p = QuantizationParameters.Asymmetric(x.Min(), x.Max(), QuantizedType.UInt8);
        var wq = q.Dequantize();
        int outH = ((h + 1 + 0 - 3) / 2) + 1, outW = ((wd + 2 + 1 - 5) / 2) + 1;
        var expected = new double[batch * mOut * outH * outW];
        for (var b = 0; b < batch; b++)
        {
            for (var o = 0; o < mOut; o++)
            {
                var g = o / (mOut / groups);
                for (var oy = 0; oy < outH; oy++)
                {
                    for (var ox = 0; ox < outW; ox++)
                    {
                        double sum = bias[o];
                        for (var ci = 0; ci < cg; ci++)
                        {
                            for (var i = 0; i < kh; i++)
                            {
                                for (var j = 0; j < kw; j++)
                                {
                                    int iy = (oy * 2) - 1 + i, ix = (ox * 2) - 2 + (j * 2);
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= wd)
                                    {
                                        continue;
                                    }

                                    var xv = x[(((b * c) + (g * cg) + ci) * h * wd) + (iy * wd) + ix];
                                    sum += QdqTestModels.FakeQuantize(xv, p.Scale, p.ZeroPoint) * wq[(((o * cg) + ci) * kh * kw) + (i * kw) + j];
                                }
                            }
                        }

                        expected[(((b * mOut) + o) * outH * outW) + (oy * outW) + ox] = sum;
                    }
                }
            }
        }

        AssertClose(expected, y, 1e-5);
    }

    [Fact]
    public void Gemm_with_transB_alpha_beta_and_bias_matches_the_float_product()
    {
        const int m = 3, k = 20, n = 7;
        var w = QdqTestModels.Uniform(n * k, 0.3, 6); // [n, k]: transB = 1
        var c = QdqTestModels.Uniform(n, 1, 7);
        var x = QdqTestModels.Uniform(m * k, 2, 8);
        var q = Int8Quantizer.QuantizePerChannel(w, [n, k], 0);
        var node = new OnnxNode("Gemm", ["x", "w", "c"], ["y"], "gemm").SetAttribute("transB", 1).SetAttribute("alpha", 0.5f).SetAttribute("beta", 2f);
        var layer = new QuantizedLayerView("gemm", node, q.Values, [n, k], q.Scales, c, null);

        var y = new LayerSimulator(layer).Run(x, [m, k]);

        var p = QuantizationParameters.Asymmetric(x.Min(), x.Max(), QuantizedType.UInt8);
        var wq = q.Dequantize();
        var expected = new double[m * n];
        for (var r = 0; r < m; r++)
        {
            for (var col = 0; col < n; col++)
            {
                double sum = 0;
                for (var i = 0; i < k; i++)
                {
                    sum += QdqTestModels.FakeQuantize(x[(r * k) + i], p.Scale, p.ZeroPoint) * wq[(col * k) + i];
                }

                expected[(r * n) + col] = (0.5 * sum) + (2 * c[col]);
            }
        }

        AssertClose(expected, y, 1e-5);
    }

    [Fact]
    public void An_input_that_does_not_fit_the_weight_is_refused_with_a_reason()
    {
        var q = Int8Quantizer.QuantizePerChannel(new float[12], [4, 3], 1);
        var layer = new QuantizedLayerView("mm", new OnnxNode("MatMul", ["x", "w"], ["y"], "mm"), q.Values, [4, 3], q.Scales, null, null);

        var ex = Assert.Throws<NotSupportedException>(() => new LayerSimulator(layer).Run(new float[10], [2, 5]));

        Assert.Contains("last axis is 5", ex.Message, StringComparison.Ordinal);
    }

    private static void AssertClose(double[] expected, float[] actual, double relative)
    {
        Assert.Equal(expected.Length, actual.Length);
        var scale = expected.Max(Math.Abs);
        Assert.True(scale > 0);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= relative * scale, $"element {i}: expected {expected[i]}, got {actual[i]}");
        }
    }
}
