using ModelCompress.Onnx;
using ModelCompress.Quantization;

namespace ModelCompress.Tests.Quantization;

/// <summary>
/// GPTQ rounding of int8 weights on a generated 3×3 Conv (8 → 6 channels) whose input is a smooth image, so that
/// neighbouring patch values are correlated as in real feature maps: on the unfolded patches the rounded kernel moves
/// the Conv's output less than round-to-nearest does (on the calibration image and on another one), its values lie on
/// the grid round-to-nearest uses (the int8 quantizer stores them exactly), and the bytes are the same on every run.
/// </summary>
public sealed class Int8GptqRoundingTests
{
    private const int Channels = 8;
    private const int Outputs = 6;
    private const int Size = 20;
    private const int K = Channels * 9;

    [Fact]
    public void Gptq_rounding_moves_the_conv_output_less_than_round_to_nearest_and_stays_on_the_grid()
    {
        var weights = new DeterministicRandom(7).Uniform(Outputs * K, 0.5f);
        var calibration = Patches(1);
        var heldOut = Patches(2);

        var rounded = Round(weights, calibration);

        var nearest = Nearest(weights);
        Assert.True(OutputError(weights, rounded, calibration) < 0.8 * OutputError(weights, nearest, calibration));
        Assert.True(OutputError(weights, rounded, heldOut) < OutputError(weights, nearest, heldOut));
        var (codes, scales) = WeightQuantizer.Quantize(Array.ConvertAll(rounded, v => (float)v), [Outputs, Channels, 3, 3], 0, perChannel: true);
        var (_, nearestScales) = WeightQuantizer.Quantize(weights, [Outputs, Channels, 3, 3], 0, perChannel: true);
        for (var i = 0; i < rounded.Length; i++)
        {
            Assert.Equal((float)rounded[i], codes[i] * scales[i / K]);
        }

        Assert.Equal(nearestScales, scales);
        Assert.Equal(Round(weights, calibration), rounded);
    }

    [Fact]
    public void A_row_keeps_its_own_values_when_gptq_would_move_its_output_more()
    {
        // Fewer calibration rows than inputs: H is singular and its damped inverse mostly damping.
        var weights = new DeterministicRandom(9).Uniform(Outputs * K, 0.5f);
        var few = Patches(3).Take(4).ToArray();

        var rounded = Round(weights, few);

        var nearest = Nearest(weights);
        for (var r = 0; r < Outputs; r++)
        {
            var row = Enumerable.Range(r * K, K);
            var kept = OutputError([.. row.Select(i => weights[i])], [.. row.Select(i => rounded[i])], few);
            var own = OutputError([.. row.Select(i => weights[i])], [.. row.Select(i => nearest[i])], few);
            Assert.True(kept <= own, $"row {r}: {kept} > {own}");
        }
    }

    private static double[] Round(float[] weights, double[][] patches)
    {
        var rows = Array.ConvertAll(weights, w => (double)w);
        var hessian = new double[K * K];
        foreach (var x in patches)
        {
            for (var a = 0; a < K; a++)
            {
                for (var b = 0; b < K; b++)
                {
                    hessian[(a * K) + b] += x[a] * x[b];
                }
            }
        }

        var (scales, anchors) = Int8GptqRounding.Grid(rows, Outputs, K, perChannel: true);
        Int8GptqRounding.Round(rows, Outputs, hessian, 0.01, scales, anchors);
        return rows;
    }

    /// <summary>Round-to-nearest as the static quantizer stores it, dequantized.</summary>
    private static double[] Nearest(float[] weights)
    {
        var (codes, scales) = WeightQuantizer.Quantize(weights, [Outputs, Channels, 3, 3], 0, perChannel: true);
        return [.. codes.Select((q, i) => (double)(q * scales[i / K]))];
    }

    /// <summary>Σ over patches and outputs of ((w − q)·x)²: how far the Conv's output moves.</summary>
    private static double OutputError(IReadOnlyList<float> weights, IReadOnlyList<double> rounded, double[][] patches) =>
        OutputError([.. weights.Select(w => (double)w)], rounded, patches);

    private static double OutputError(IReadOnlyList<double> weights, IReadOnlyList<double> rounded, double[][] patches)
    {
        var rows = weights.Count / K;
        var total = 0.0;
        foreach (var x in patches)
        {
            for (var r = 0; r < rows; r++)
            {
                var y = 0.0;
                for (var c = 0; c < K; c++)
                {
                    y += (weights[(r * K) + c] - rounded[(r * K) + c]) * x[c];
                }

                total += y * y;
            }
        }

        return total;
    }

    /// <summary>The 3×3 patches (channel-major, as a Conv kernel is stored) of a smooth random image: a random field blurred twice.</summary>
    private static double[][] Patches(ulong seed)
    {
        var noise = new DeterministicRandom(seed).Uniform(Channels * Size * Size, 1f);
        var image = Blur(Blur(noise));
        var patches = new List<double[]>();
        for (var y = 0; y + 3 <= Size; y++)
        {
            for (var x = 0; x + 3 <= Size; x++)
            {
                var patch = new double[K];
                for (var c = 0; c < Channels; c++)
                {
                    for (var i = 0; i < 9; i++)
                    {
                        patch[(c * 9) + i] = image[(c * Size * Size) + ((y + (i / 3)) * Size) + x + (i % 3)];
                    }
                }

                patches.Add(patch);
            }
        }

        return [.. patches];
    }

    /// <summary>Each pixel averaged with its right and lower neighbours (and a share of the next channel).</summary>
    private static float[] Blur(float[] image)
    {
        var result = new float[image.Length];
        for (var c = 0; c < Channels; c++)
        {
            for (var y = 0; y < Size; y++)
            {
                for (var x = 0; x < Size; x++)
                {
                    float At(int cc, int yy, int xx) => image[(cc % Channels * Size * Size) + (Math.Min(yy, Size - 1) * Size) + Math.Min(xx, Size - 1)];
                    result[(c * Size * Size) + (y * Size) + x] = (At(c, y, x) + At(c, y, x + 1) + At(c, y + 1, x) + (0.5f * At(c + 1, y, x))) / 3.5f;
                }
            }
        }

        return result;
    }
}
