using ModelCompress.Analysis;
using ModelCompress.Data;
using ModelCompress.Onnx;
using ModelCompress.Passes;
using ModelCompress.Recipe;
using ModelCompress.Testing;
using ModelCompress.Verification;

namespace ModelCompress.Tests.Verification;

public sealed class LayerErrorAnalyzerTests
{
    private static DataSource Npz(TempDirectory dir, string input, long[] shape, double limit, int seed)
    {
        var path = dir.File("verify.npz");
        var values = QdqTestModels.Uniform((int)NdArray.ElementCount(shape), limit, seed);
        NpzArchive.WriteFile(path, new Dictionary<string, NdArray> { [input] = NdArray.FromFloats(values, shape) });
        return new DataSource(path, DataFormat.Npz, TokenizerKind.None, null, null, null, new SourceLocation("r.yaml", 1, 1));
    }

    [Fact]
    public void Per_layer_snr_and_cosine_equal_a_float_reference_computed_here()
    {
        using var dir = new TempDirectory();
        const int k = 48, n = 24, samples = 6;
        var fp32 = QdqTestModels.SingleMatMul(k, n, seed: 11);
        var p = (Scale: 1.6f / 255, ZeroPoint: (byte)128); // [-0.8, 0.8]: inputs in [-1, 1) partly saturate
        var qdq = QdqTestModels.Quantize(fp32, _ => p);
        var data = Npz(dir, "x", [samples, k], 1.0, 12);

        var layer = Assert.Single(LayerErrorAnalyzer.Analyze("m", fp32, qdq, data, samples, CancellationToken.None));

        var x = (float[])NpzArchive.ReadFile(data.Path)["x"].Data;
        var w = PassLayer.Of(GraphAnalyzer.Analyze(fp32).Layers[0]).Weights;
        var wq = Int8Quantizer.QuantizePerChannel(w, [k, n], 1).Dequantize();
        double signal = 0, noise = 0, dot = 0, simEnergy = 0;
        for (var r = 0; r < samples; r++)
        {
            for (var c = 0; c < n; c++)
            {
                double y = 0, yq = 0;
                for (var i = 0; i < k; i++)
                {
                    y += (double)x[(r * k) + i] * w[(i * n) + c];
                    yq += QdqTestModels.FakeQuantize(x[(r * k) + i], p.Scale, p.ZeroPoint) * wq[(i * n) + c];
                }

                signal += y * y;
                noise += (y - yq) * (y - yq);
                dot += y * yq;
                simEnergy += yq * yq;
            }
        }

        Assert.Equal("/fc/MatMul", layer.Name);
        Assert.Equal("static uint8", layer.Activation);
        Assert.Equal(10 * Math.Log10(signal / noise), layer.SnrDb!.Value, 2);
        Assert.Equal(dot / Math.Sqrt(signal * simEnergy), layer.Cosine!.Value, 6);
        Assert.InRange(layer.SnrDb.Value, 10, 60);
    }

    [Fact]
    public void A_layer_with_a_bad_activation_scale_ranks_first()
    {
        using var dir = new TempDirectory();
        var fp32 = SampleModels.Mlp(inputSize: 32, hiddenSize: 64, outputSize: 10, hiddenLayers: 2);

        // /fc2 gets a step 40× too coarse for its input; the others a reasonable one.
        var qdq = QdqTestModels.Quantize(fp32, l => l.Name == "/fc2/MatMul" ? (40f / 255, (byte)0) : (2f / 255, (byte)128));
        var data = Npz(dir, "input", [8, 32], 1.0, 3);

        var ranking = LayerErrorAnalyzer.Analyze("mlp", fp32, qdq, data, 8, CancellationToken.None);

        Assert.Equal(3, ranking.Count);
        Assert.Equal("/fc2/MatMul", ranking[0].Name);
        Assert.True(ranking[0].SnrDb < ranking[1].SnrDb - 10, $"{ranking[0]} vs {ranking[1]}");
        Assert.True(ranking.Zip(ranking.Skip(1)).All(pair => pair.First.SnrDb <= pair.Second.SnrDb));
    }

    [Fact]
    public void Weight_only_conv_and_gemm_layers_are_simulated_with_dynamic_activations()
    {
        using var dir = new TempDirectory();
        var fp32 = SampleModels.ConvNet(channels: 1, height: 12, width: 12, classes: 5);
        var weightOnly = QdqTestModels.Quantize(fp32, _ => null);
        var data = Npz(dir, "input", [3, 1, 12, 12], 1.0, 4);

        var ranking = LayerErrorAnalyzer.Analyze("cnn", fp32, weightOnly, data, 3, CancellationToken.None);

        Assert.Equal(["/conv1/Conv", "/conv2/Conv", "/head/Gemm"], ranking.Select(l => l.Name).Order(StringComparer.Ordinal));
        Assert.All(ranking, l =>
        {
            Assert.Equal("dynamic uint8", l.Activation);
            Assert.Null(l.Note);
            // 8-bit input and weights: roughly 6 dB per bit, less clipping and accumulation (measured 47.4–49.3 dB).
            Assert.InRange(l.SnrDb!.Value, 42, 55);
            Assert.InRange(l.Cosine!.Value, 0.9999, 1.0);
        });
    }

    [Fact]
    public void A_float_model_has_no_int8_layers_to_rank()
    {
        using var dir = new TempDirectory();
        var fp32 = QdqTestModels.SingleMatMul(8, 4, 1);

        Assert.Empty(LayerErrorAnalyzer.Analyze("m", fp32, fp32, Npz(dir, "x", [2, 8], 1, 1), 2, CancellationToken.None));
    }
}
