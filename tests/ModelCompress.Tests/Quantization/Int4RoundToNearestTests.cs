using ModelCompress.Analysis;
using ModelCompress.Onnx;
using ModelCompress.Passes;
using ModelCompress.Quantization;
using ModelCompress.Testing;

namespace ModelCompress.Tests.Quantization;

/// <summary>
/// Int4 round-to-nearest without the solver gives the bytes of the solver with H = I (what RTN ran before, and what
/// cached RTN results and tuning trials were made with): on random weights with exact zeros, on char-GPT's own layers
/// at both default block sizes, and with the weights that must go through the solve (−0, NaN).
/// </summary>
public sealed class Int4RoundToNearestTests
{
    [Theory]
    [InlineData(true, 32)]
    [InlineData(false, 128)]
    [InlineData(true, 7)]
    public void Random_weights_round_to_the_bytes_of_the_identity_solve(bool symmetric, int block)
    {
        const int n = 12;
        const int k = 200;
        var w = new DeterministicRandom((ulong)block).Uniform(n * k, 2f).Select(v => (double)v).ToArray();
        for (var i = 0; i < w.Length; i += 17)
        {
            w[i] = 0;
        }

        AssertSameBytes(w, n, k, block, symmetric);
    }

    [Fact]
    public void Char_gpt_layers_round_to_the_bytes_of_the_identity_solve()
    {
        var model = OnnxModel.Load(Fixtures.Require("models/char-gpt/char-gpt-6l384.onnx"));
        var layers = GraphAnalyzer.Analyze(model).Layers;
        foreach (var layer in new[] { layers[0], layers.MaxBy(l => l.InFeatures)! })
        {
            var (n, k, w) = Int4WeightOnlyPass.RowsOf(PassLayer.Of(layer));
            AssertSameBytes(w, n, k, 32, symmetric: true);
            AssertSameBytes(w, n, k, 128, symmetric: false);
        }
    }

    [Fact]
    public void Negative_zero_and_nan_weights_take_the_solve_and_still_agree()
    {
        const int n = 3;
        const int k = 16;
        var w = new DeterministicRandom(4).Uniform(n * k, 1f).Select(v => (double)v).ToArray();
        w[5] = -0.0;
        AssertSameBytes(w, n, k, 8, symmetric: false);
        w[20] = double.NaN;
        AssertSameBytes(w, n, k, 8, symmetric: true);
    }

    private static void AssertSameBytes(double[] w, int n, int k, int block, bool symmetric)
    {
        var before = (double[])w.Clone();
        var alone = Int4Quantizer.Quantize(w, n, k, block, symmetric, null).ToBytes();
        var solved = Int4Quantizer.Quantize(w, n, k, block, symmetric, InverseHessianFactor.Identity(k)).ToBytes();
        Assert.Equal(solved, alone);
        Assert.Equal(before, w);
    }
}
