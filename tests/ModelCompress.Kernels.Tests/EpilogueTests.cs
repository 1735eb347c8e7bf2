using ModelCompress.Kernels;

namespace ModelCompress.Kernels.Tests;

/// <summary>The float and requantizing epilogues, against hand-computed values and against the int32 product.</summary>
public class EpilogueTests
{
    // A (uint8, z_A = 10) = [[10 20 30] [0 255 1]], B = [[1 −2] [3 4] [−5 6]]:
    // (A − 10)·B = [[−70 160] [770 946]]; S_a = 0.5, S_b = [0.25 2], bias = [1 −3]
    // → out = [[−70·0.125 + 1, 160·1 − 3], [770·0.125 + 1, 946 − 3]] = [[−7.75 157] [97.25 943]] (all exact).
    private static readonly byte[] A = [10, 20, 30, 0, 255, 1];
    private static readonly sbyte[] B = [1, -2, 3, 4, -5, 6];
    private static readonly float[] ScaleB = [0.25f, 2f];
    private static readonly float[] Bias = [1f, -3f];

    [Theory]
    [MemberData(nameof(GemmTestData.AvailableTiers), MemberType = typeof(GemmTestData))]
    public void Dequantized_output_matches_hand_computed_values(Int8GemmTier tier)
    {
        var packed = Int8Gemm.Pack(B, 3, 2);
        var output = new float[4];
        Int8Gemm.Dequantize(Int8GemmKernelFactory.Get(tier), A, false, 10, 2, packed, 0.5f, ScaleB, Bias, output, 1);
        Assert.Equal([-7.75f, 157f, 97.25f, 943f], output);

        // The same layer with int8 activations (each value − 128, zero point 10 − 128) gives the same output.
        var signedA = A.Select(v => (sbyte)(v - 128)).ToArray();
        var signedOutput = new float[4];
        Int8Gemm.Dequantize(
            Int8GemmKernelFactory.Get(tier), System.Runtime.InteropServices.MemoryMarshal.AsBytes(signedA.AsSpan()),
            true, (10 - 128) + 128, 2, packed, 0.5f, ScaleB, Bias, signedOutput, 1);
        Assert.Equal(output, signedOutput);
    }

    [Fact]
    public void Public_dequantize_and_requantize_overloads_agree_with_hand_values()
    {
        var packed = Int8Gemm.Pack(B, 3, 2);
        var output = new float[4];
        Int8Gemm.MultiplyDequantize(A, 2, packed, 10, 0.5f, ScaleB, Bias, output);
        Assert.Equal([-7.75f, 157f, 97.25f, 943f], output);

        // int8 output with S = 2, Z = 0: −3.875 → −4, 78.5 → 78 (tie to even), 48.625 → 49, 471.5 → saturates 127.
        var q8 = new sbyte[4];
        Int8Gemm.MultiplyRequantize(A, 2, packed, 10, 0.5f, ScaleB, Bias, new QuantizationParameters(2f, 0), q8);
        Assert.Equal(new sbyte[] { -4, 78, 49, 127 }, q8);

        // uint8 output with S = 0.5, Z = 20: −15.5 → −16 + 20 = 4, 314 → 255, 194.5 → 194 (tie to even) + 20 = 214.
        var qu = new byte[4];
        var signedA = A.Select(v => (sbyte)(v - 128)).ToArray();
        Int8Gemm.MultiplyRequantize(signedA, 2, packed, -118, 0.5f, ScaleB, Bias, new QuantizationParameters(0.5f, 20), qu);
        Assert.Equal(new byte[] { 4, 255, 214, 255 }, qu);
    }

    [Theory]
    [MemberData(nameof(GemmTestData.AvailableTiers), MemberType = typeof(GemmTestData))]
    public void Epilogues_equal_the_formula_on_the_int32_product_for_any_thread_count(Int8GemmTier tier)
    {
        int m = 37, k = 300, n = 45;
        var rng = new Random(42);
        var a = GemmTestData.Bytes(rng, m * k);
        var packed = Int8Gemm.Pack(GemmTestData.SBytes(rng, k * n), k, n);
        var scaleB = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 0.01)).ToArray();
        var bias = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        const float scaleA = 0.037f;
        var kernel = Int8GemmKernelFactory.Get(tier);

        var acc = GemmTestData.Run(tier, a, false, 77, m, packed);
        var expected = new float[m * n];
        for (int i = 0; i < expected.Length; i++)
        {
            expected[i] = (acc[i] * (scaleA * scaleB[i % n])) + bias[i % n];
        }

        var outputParameters = new QuantizationParameters(0.02f, 3);
        var expectedQ = expected.Select(v => Quantization.QuantizeInt8(v, 0.02f, 3)).ToArray();
        foreach (int threads in new[] { 1, 2, 5 })
        {
            var output = new float[m * n];
            Int8Gemm.Dequantize(kernel, a, false, 77, m, packed, scaleA, scaleB, bias, output, threads);
            Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), output.Select(BitConverter.SingleToInt32Bits));

            var q = new byte[m * n];
            Int8Gemm.Requantize(kernel, a, false, 77, m, packed, scaleA, scaleB, bias, outputParameters, QuantizedType.Int8, q, threads);
            Assert.Equal(expectedQ, q.Select(v => (sbyte)v));
        }
    }

    [Fact]
    public void Per_tensor_weight_scale_and_missing_bias_are_accepted()
    {
        var packed = Int8Gemm.Pack(B, 3, 2);
        var output = new float[4];
        Int8Gemm.MultiplyDequantize(A, 2, packed, 10, 0.5f, [2f], [], output);
        Assert.Equal([-70f, 160f, 770f, 946f], output);
    }

    [Fact]
    public void Bad_epilogue_arguments_are_rejected()
    {
        var packed = Int8Gemm.Pack(B, 3, 2);
        var output = new float[4];
        Assert.Throws<ArgumentException>(() => Int8Gemm.MultiplyDequantize(A, 2, packed, 10, 0.5f, [1f, 2f, 3f], [], output));
        Assert.Throws<ArgumentException>(() => Int8Gemm.MultiplyDequantize(A, 2, packed, 10, 0.5f, [1f], [1f], output));
        Assert.Throws<ArgumentException>(() => Int8Gemm.MultiplyDequantize(A, 2, packed, 10, 0.5f, [1f], [], new float[3]));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            Int8Gemm.MultiplyRequantize(A, 2, packed, 10, 0.5f, [1f], [], new QuantizationParameters(1f, 300), new byte[4]));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            Int8Gemm.MultiplyRequantize(A, 2, packed, 10, 0.5f, [1f], [], new QuantizationParameters(0f, 0), new sbyte[4]));
    }
}
