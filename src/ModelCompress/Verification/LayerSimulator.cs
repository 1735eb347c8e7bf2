using ModelCompress.Calibration;
using ModelCompress.Kernels;
using Q = ModelCompress.Kernels.Quantization;

namespace ModelCompress.Verification;

/// <summary>
/// Runs one int8 layer the way an integer runtime does, with the bit-exact <see cref="Int8Gemm"/>: the fp32 input is
/// quantized per tensor, q = saturate(round(x / S_x) + Z_x) (Jacob et al. 2018, eq. 1), with the layer's static
/// parameters or, without them, with per-sample dynamic ones from the input's range (as ONNX DynamicQuantizeLinear
/// does); the int32 products Σ(q − Z_x)·w are exact; the output is S_x·S_w[n]·Σ + b[n]. Conv runs as im2col + GEMM per
/// group. The int32 part is identical on every CPU tier, so the per-layer verdict does not depend on the machine.
/// </summary>
internal sealed class LayerSimulator
{
    private readonly QuantizedLayerView _layer;
    private readonly PackedInt8Weights[] _packed; // one per Conv group; one for MatMul/Gemm
    private readonly float[] _scales;
    private readonly float[] _bias;
    private readonly float _alpha, _beta;

    public LayerSimulator(QuantizedLayerView layer)
    {
        _layer = layer;
        var shape = layer.WeightShape;
        var n = layer.OpType == "Gemm" && layer.Node.GetInt("transB", 0) != 0 ? shape[0] : layer.OpType == "Conv" ? shape[0] : shape[1];
        _alpha = layer.OpType == "Gemm" ? layer.Node.GetFloat("alpha", 1f) : 1f;
        _beta = layer.OpType == "Gemm" ? layer.Node.GetFloat("beta", 1f) : 1f;
        _scales = layer.WeightScales.Length == 1
            ? Enumerable.Repeat(layer.WeightScales[0], (int)n).ToArray()
            : [.. layer.WeightScales];
        _bias = new float[n];
        if (layer.Bias is { } b)
        {
            if (b.Length != 1 && b.Length != n)
            {
                throw new NotSupportedException("its bias is not one value per output channel");
            }

            for (var i = 0; i < n; i++)
            {
                _bias[i] = b[b.Length == 1 ? 0 : i] * _beta;
            }
        }

        if (_alpha != 1f)
        {
            // Gemm: Y = α·A·B + β·C; α joins the per-column scale (one float multiply, done once).
            for (var i = 0; i < _scales.Length; i++)
            {
                _scales[i] *= _alpha;
            }
        }

        _packed = layer.OpType switch
        {
            "MatMul" => [Int8Gemm.Pack(layer.Weights, (int)shape[0], (int)shape[1])],
            "Gemm" when layer.Node.GetInt("transB", 0) != 0 => [PackedInt8Weights.PackTransposed(layer.Weights, (int)shape[1], (int)shape[0])],
            "Gemm" => [Int8Gemm.Pack(layer.Weights, (int)shape[0], (int)shape[1])],
            _ => PackConvGroups(layer.Weights, shape, (int)layer.Node.GetInt("group", 1)),
        };
    }

    /// <summary>The simulated output for input <paramref name="x"/> of <paramref name="shape"/>, in the node's output layout.</summary>
    /// <exception cref="NotSupportedException">The input does not fit the layer (the message says why).</exception>
    public float[] Run(float[] x, long[] shape)
    {
        shape = (long[])shape.Clone();
        var (parameters, type) = _layer.Activation ?? DynamicParameters(x);
        return _layer.OpType switch
        {
            "Conv" => RunConv(x, shape, parameters, type),
            "Gemm" => RunMatrix(_layer.Node.GetInt("transA", 0) != 0 ? Transpose(x, shape) : x, shape.Length == 2 ? shape[^1] : -1, parameters, type),
            _ => RunMatrix(x, shape.Length == 0 ? -1 : shape[^1], parameters, type),
        };
    }

    /// <summary>Per-tensor uint8 parameters from the sample's range (always including 0), like DynamicQuantizeLinear.</summary>
    private static (QuantizationParameters, QuantizedType) DynamicParameters(float[] x)
    {
        var (min, max) = x.Length == 0 ? (0f, 0f) : TensorReductions.MinMax(x);
        return (QuantizationParameters.Asymmetric(min, max, QuantizedType.UInt8), QuantizedType.UInt8);
    }

    private float[] RunMatrix(float[] a, long k, QuantizationParameters p, QuantizedType type)
    {
        var packed = _packed[0];
        if (k != packed.K || a.Length % packed.K != 0)
        {
            throw new NotSupportedException($"its input's last axis is {k}, the weight expects {packed.K}");
        }

        var m = a.Length / packed.K;
        var output = new float[(long)m * packed.N];
        Multiply(a, m, packed, p, type, _scales, _bias, output);
        return output;
    }

    private float[] RunConv(float[] x, long[] shape, QuantizationParameters p, QuantizedType type)
    {
        var g = ConvGeometry.TryCreate(_layer.Node, shape, _layer.WeightShape, out var why)
            ?? throw new NotSupportedException(why);
        var images = (int)shape[0];
        var perGroup = _packed[0].N;
        var pixels = g.OutH * g.OutW;
        var output = new float[(long)images * _layer.WeightShape[0] * pixels];
        var patches = new float[(long)pixels * g.PatchSize];
        var result = new float[(long)pixels * perGroup];
        var imageSize = g.Channels * g.Height * g.Width;
        for (var n = 0; n < images; n++)
        {
            for (var group = 0; group < g.Groups; group++)
            {
                g.Im2Col(x.AsSpan(n * imageSize, imageSize), group, patches);
                var columns = group * perGroup;
                Multiply(patches, pixels, _packed[group], p, type, _scales.AsSpan(columns, perGroup), _bias.AsSpan(columns, perGroup), result);

                // GEMM rows are pixels and columns are output channels; ONNX Conv writes [N, M, OH, OW].
                for (var px = 0; px < pixels; px++)
                {
                    for (var c = 0; c < perGroup; c++)
                    {
                        output[((((long)n * _layer.WeightShape[0]) + columns + c) * pixels) + px] = result[(px * perGroup) + c];
                    }
                }
            }
        }

        return output;
    }

    private static void Multiply(
        ReadOnlySpan<float> a, int m, PackedInt8Weights b, QuantizationParameters p, QuantizedType type,
        ReadOnlySpan<float> scales, ReadOnlySpan<float> bias, Span<float> output)
    {
        // One thread: the result does not depend on it, and verification must not compete with the build for cores.
        if (type == QuantizedType.UInt8)
        {
            var q = new byte[a.Length];
            Q.Quantize(a, p.Scale, (byte)p.ZeroPoint, q);
            Int8Gemm.MultiplyDequantize(q, m, b, (byte)p.ZeroPoint, p.Scale, scales, bias, output, threads: 1);
        }
        else
        {
            var q = new sbyte[a.Length];
            Q.Quantize(a, p.Scale, (sbyte)p.ZeroPoint, q);
            Int8Gemm.MultiplyDequantize(q, m, b, (sbyte)p.ZeroPoint, p.Scale, scales, bias, output, threads: 1);
        }
    }

    /// <summary>Packs each group's [M/g, C/g·kh·kw] slice of a Conv weight as the transposed GEMM operand.</summary>
    private static PackedInt8Weights[] PackConvGroups(sbyte[] weights, long[] shape, int groups)
    {
        if (groups <= 0 || shape[0] % groups != 0)
        {
            throw new NotSupportedException("its group count does not divide the output channels");
        }

        var perGroup = (int)(shape[0] / groups);
        var k = (int)(weights.LongLength / shape[0]);
        return [.. Enumerable.Range(0, groups).Select(g =>
            PackedInt8Weights.PackTransposed(weights.AsSpan(g * perGroup * k, perGroup * k), k, perGroup))];
    }

    private static float[] Transpose(float[] x, long[] shape)
    {
        if (shape.Length != 2)
        {
            throw new NotSupportedException("Gemm's input is not a matrix");
        }

        var (rows, cols) = ((int)shape[0], (int)shape[1]);
        var t = new float[x.Length];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < cols; c++)
            {
                t[(c * rows) + r] = x[(r * cols) + c];
            }
        }

        shape[0] = cols;
        shape[1] = rows;
        return t;
    }
}
