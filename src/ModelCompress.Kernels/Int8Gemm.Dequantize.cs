using System.Runtime.InteropServices;

namespace ModelCompress.Kernels;

/// <summary>Products with a float or requantized output (the epilogue of a quantized linear layer).</summary>
public static partial class Int8Gemm
{
    /// <summary>
    /// out[m,n] = S_a·S_b[n]·((A − z_A)·B)[m,n] + bias[n] for uint8 activations: the int8 layer's real-valued output
    /// (per-tensor activation scale, per-channel or per-tensor weight scale). The int32 sums are exact; the float
    /// step is one multiply and one add per element.
    /// </summary>
    /// <param name="a">Activations, m·K values.</param>
    /// <param name="m">Rows.</param>
    /// <param name="b">Packed weights.</param>
    /// <param name="zeroPointA">Activation zero point.</param>
    /// <param name="scaleA">Activation scale S_a.</param>
    /// <param name="scaleB">Weight scales: N values (per output channel) or 1 (per tensor).</param>
    /// <param name="bias">N values, or empty for none.</param>
    /// <param name="output">m·N floats, row-major.</param>
    /// <param name="threads">Worker threads (0 = all cores); the result does not depend on it.</param>
    public static void MultiplyDequantize(
        ReadOnlySpan<byte> a, int m, PackedInt8Weights b, byte zeroPointA, float scaleA, ReadOnlySpan<float> scaleB,
        ReadOnlySpan<float> bias, Span<float> output, int threads = 0) =>
        Dequantize(Int8GemmKernelFactory.Active, a, false, zeroPointA, m, b, scaleA, scaleB, bias, output, threads);

    /// <summary>As the uint8 overload, for int8 activations.</summary>
    public static void MultiplyDequantize(
        ReadOnlySpan<sbyte> a, int m, PackedInt8Weights b, sbyte zeroPointA, float scaleA, ReadOnlySpan<float> scaleB,
        ReadOnlySpan<float> bias, Span<float> output, int threads = 0) =>
        Dequantize(Int8GemmKernelFactory.Active, MemoryMarshal.AsBytes(a), true, zeroPointA + 128, m, b, scaleA, scaleB, bias, output, threads);

    /// <summary>
    /// The dequantized output (see <see cref="MultiplyDequantize(ReadOnlySpan{byte}, int, PackedInt8Weights, byte, float, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int)"/>)
    /// quantized again to uint8 with <paramref name="outputParameters"/> (ONNX QuantizeLinear: round half to even,
    /// saturate) — what the next quantized layer receives.
    /// </summary>
    public static void MultiplyRequantize(
        ReadOnlySpan<byte> a, int m, PackedInt8Weights b, byte zeroPointA, float scaleA, ReadOnlySpan<float> scaleB,
        ReadOnlySpan<float> bias, QuantizationParameters outputParameters, Span<byte> output, int threads = 0) =>
        Requantize(Int8GemmKernelFactory.Active, a, false, zeroPointA, m, b, scaleA, scaleB, bias, outputParameters, QuantizedType.UInt8, output, threads);

    /// <summary>As the uint8 → uint8 overload, producing int8.</summary>
    public static void MultiplyRequantize(
        ReadOnlySpan<byte> a, int m, PackedInt8Weights b, byte zeroPointA, float scaleA, ReadOnlySpan<float> scaleB,
        ReadOnlySpan<float> bias, QuantizationParameters outputParameters, Span<sbyte> output, int threads = 0) =>
        Requantize(Int8GemmKernelFactory.Active, a, false, zeroPointA, m, b, scaleA, scaleB, bias, outputParameters, QuantizedType.Int8, MemoryMarshal.AsBytes(output), threads);

    /// <summary>As the uint8 → uint8 overload, for int8 activations.</summary>
    public static void MultiplyRequantize(
        ReadOnlySpan<sbyte> a, int m, PackedInt8Weights b, sbyte zeroPointA, float scaleA, ReadOnlySpan<float> scaleB,
        ReadOnlySpan<float> bias, QuantizationParameters outputParameters, Span<byte> output, int threads = 0) =>
        Requantize(Int8GemmKernelFactory.Active, MemoryMarshal.AsBytes(a), true, zeroPointA + 128, m, b, scaleA, scaleB, bias, outputParameters, QuantizedType.UInt8, output, threads);

    /// <summary>As the uint8 → uint8 overload, for int8 activations producing int8.</summary>
    public static void MultiplyRequantize(
        ReadOnlySpan<sbyte> a, int m, PackedInt8Weights b, sbyte zeroPointA, float scaleA, ReadOnlySpan<float> scaleB,
        ReadOnlySpan<float> bias, QuantizationParameters outputParameters, Span<sbyte> output, int threads = 0) =>
        Requantize(Int8GemmKernelFactory.Active, MemoryMarshal.AsBytes(a), true, zeroPointA + 128, m, b, scaleA, scaleB, bias, outputParameters, QuantizedType.Int8, MemoryMarshal.AsBytes(output), threads);

    /// <summary>Float-output product on a given tier.</summary>
    internal static unsafe void Dequantize(
        Int8GemmKernel kernel, ReadOnlySpan<byte> a, bool signedA, int shiftedZeroPoint, int m, PackedInt8Weights b,
        float scaleA, ReadOnlySpan<float> scaleB, ReadOnlySpan<float> bias, Span<float> output, int threads)
    {
        CheckOperands(a.Length, m, b);
        CheckOutput(output.Length, m, b.N, nameof(output));
        var (scale, fullBias) = ColumnFactors(b.N, scaleA, scaleB, bias);
        fixed (byte* pa = a)
        fixed (float* po = output, ps = scale, pb = fullBias)
        {
            var epilogue = new DequantizeEpilogue(po, b.N, ps, pb);
            Int8GemmDriver.Run(kernel, pa, m, signedA, shiftedZeroPoint, b, null, threads, epilogue);
        }
    }

    /// <summary>Requantized product on a given tier; <paramref name="output"/> receives uint8 or int8 bytes.</summary>
    internal static unsafe void Requantize(
        Int8GemmKernel kernel, ReadOnlySpan<byte> a, bool signedA, int shiftedZeroPoint, int m, PackedInt8Weights b,
        float scaleA, ReadOnlySpan<float> scaleB, ReadOnlySpan<float> bias, QuantizationParameters outputParameters,
        QuantizedType outputType, Span<byte> output, int threads)
    {
        CheckOperands(a.Length, m, b);
        CheckOutput(output.Length, m, b.N, nameof(output));
        var (qmin, qmax) = QuantizationParameters.QuantizedRange(outputType);
        if (!(outputParameters.Scale > 0) || !float.IsFinite(outputParameters.Scale) ||
            outputParameters.ZeroPoint < qmin || outputParameters.ZeroPoint > qmax)
        {
            throw new ArgumentOutOfRangeException(
                nameof(outputParameters), outputParameters, $"Output scale must be finite and positive, zero point within {qmin}…{qmax}.");
        }

        var (scale, fullBias) = ColumnFactors(b.N, scaleA, scaleB, bias);
        fixed (byte* pa = a, po = output)
        fixed (float* ps = scale, pb = fullBias)
        {
            var epilogue = new RequantizeEpilogue(po, b.N, ps, pb, outputParameters, outputType);
            Int8GemmDriver.Run(kernel, pa, m, signedA, shiftedZeroPoint, b, null, threads, epilogue);
        }
    }

    // Per-column factors: S_a·S_b[n] (one float multiply, the same for every row) and the bias (zeros when absent).
    private static (float[] Scale, float[] Bias) ColumnFactors(int n, float scaleA, ReadOnlySpan<float> scaleB, ReadOnlySpan<float> bias)
    {
        if (!float.IsFinite(scaleA))
        {
            throw new ArgumentOutOfRangeException(nameof(scaleA), scaleA, "The activation scale must be finite.");
        }

        if (scaleB.Length != n && scaleB.Length != 1)
        {
            throw new ArgumentException($"{scaleB.Length} weight scales for {n} columns; give {n} or 1.", nameof(scaleB));
        }

        if (bias.Length != n && !bias.IsEmpty)
        {
            throw new ArgumentException($"{bias.Length} bias values for {n} columns; give {n} or none.", nameof(bias));
        }

        var scale = new float[n];
        var fullBias = new float[n];
        for (int j = 0; j < n; j++)
        {
            scale[j] = scaleA * scaleB[scaleB.Length == 1 ? 0 : j];
            fullBias[j] = bias.IsEmpty ? 0f : bias[j];
        }

        return (scale, fullBias);
    }
}
