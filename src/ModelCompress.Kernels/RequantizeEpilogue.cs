using System.Runtime.CompilerServices;
namespace ModelCompress.Kernels;

/// <summary>
/// Dequantizes like <see cref="DequantizeEpilogue"/> and quantizes the float result again with the output's scale
/// and zero point (ONNX QuantizeLinear: round half to even, saturate) — the int8 layer's output as the next layer
/// sees it. Writes bytes: the uint8 value, or the int8 value's two's-complement byte.
/// </summary>
internal sealed unsafe class RequantizeEpilogue : Int8GemmEpilogue
{
    private readonly byte* _output;
    private readonly int _n;
    private readonly float* _scale;
    private readonly float* _bias;
    private readonly float _outputScale;
    private readonly int _outputZeroPoint;
    private readonly int _qmin;
    private readonly int _qmax;

    public RequantizeEpilogue(
        byte* output, int n, float* scale, float* bias, QuantizationParameters outputParameters, QuantizedType type)
    {
        _output = output;
        _n = n;
        _scale = scale;
        _bias = bias;
        _outputScale = outputParameters.Scale;
        _outputZeroPoint = outputParameters.ZeroPoint;
        (_qmin, _qmax) = QuantizationParameters.QuantizedRange(type);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Apply(int* acc, int ldAcc, int row0, int rows, int col0, int cols)
    {
        float* row = stackalloc float[cols];
        for (int r = 0; r < rows; r++)
        {
            int* src = acc + (long)r * ldAcc;
            for (int j = 0; j < cols; j++)
            {
                row[j] = (src[j] * _scale[col0 + j]) + _bias[col0 + j];
            }

            Quantization.QuantizeSpan(
                new ReadOnlySpan<float>(row, cols), _outputScale, _outputZeroPoint, _qmin, _qmax,
                new Span<byte>(_output + ((long)(row0 + r) * _n) + col0, cols));
        }
    }
}
