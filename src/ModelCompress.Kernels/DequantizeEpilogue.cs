using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelCompress.Kernels;

/// <summary>
/// out[m,n] = acc[m,n]·(S_a·S_b[n]) + bias[n]: an int32 product of quantized operands back to real units
/// (r = S(q − Z) for both operands, Jacob et al. 2018, Eq. 4 with the zero points already compensated), as ONNX
/// Runtime's MatMulIntegerToFloat. The combined scale S_a·S_b[n] is formed once per column; each element then takes
/// one float multiply and one float add (never fused), so vector and scalar code round identically.
/// </summary>
internal sealed unsafe class DequantizeEpilogue : Int8GemmEpilogue
{
    private readonly float* _output;
    private readonly int _n;
    private readonly float* _scale;
    private readonly float* _bias;

    /// <param name="output">Row-major float[M, n].</param>
    /// <param name="n">Columns.</param>
    /// <param name="scale">S_a·S_b[n] per column.</param>
    /// <param name="bias">Bias per column (zeros when the layer has none).</param>
    public DequantizeEpilogue(float* output, int n, float* scale, float* bias)
    {
        _output = output;
        _n = n;
        _scale = scale;
        _bias = bias;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Apply(int* acc, int ldAcc, int row0, int rows, int col0, int cols)
    {
        for (int r = 0; r < rows; r++)
        {
            int* src = acc + (long)r * ldAcc;
            float* dst = _output + ((long)(row0 + r) * _n) + col0;
            float* scale = _scale + col0;
            float* bias = _bias + col0;
            int j = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                for (; j <= cols - 8; j += 8)
                {
                    var v = Vector256.ConvertToSingle(Vector256.Load(src + j));
                    ((v * Vector256.Load(scale + j)) + Vector256.Load(bias + j)).Store(dst + j);
                }
            }

            for (; j < cols; j++)
            {
                dst[j] = (src[j] * scale[j]) + bias[j];
            }
        }
    }
}
