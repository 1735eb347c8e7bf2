using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Recipe;
using ModelCompress.Testing;
using static ModelCompress.Tests.Quantization.QuantizeTestSupport;

namespace ModelCompress.Tests.Quantization;

/// <summary>The static int8 QDQ pass, run as the engine runs it (<see cref="PassHarness"/>; mnist-8 through the engine itself).</summary>
public sealed class QdqQuantizerTests
{
    private static (float[] Before, float[] After) Compare(OnnxModel before, OnnxModel after, OrtInput input) =>
        (OrtRun.Run(before.ToBytes(), input)[0].Floats, OrtRun.Run(after.ToBytes(), input)[0].Floats);

    private static double RelativeRmsError(float[] a, float[] b)
    {
        double err = 0, norm = 0;
        for (var i = 0; i < a.Length; i++)
        {
            err += (a[i] - b[i]) * (double)(a[i] - b[i]);
            norm += a[i] * (double)a[i];
        }

        return Math.Sqrt(err / norm);
    }

    [Theory]
    [InlineData(ActivationRangeMethod.MinMax, QuantizeActivationType.UInt8)]
    [InlineData(ActivationRangeMethod.Percentile, QuantizeActivationType.UInt8)]
    [InlineData(ActivationRangeMethod.Entropy, QuantizeActivationType.Int8)]
    public void Static_qdq_gpt_block_runs_in_onnx_runtime_close_to_float_with_int8_weights(ActivationRangeMethod method, QuantizeActivationType activations)
    {
        var model = SampleModels.GptBlock(dModel: 64, heads: 4);
        var original = model.Clone();
        var calibration = QuantTestModels.Samples("x", 8, 16, 64, outlier: 1f);

        var run = PassHarness.Run(model, calibration, Step(method: method, activations: activations));

        Assert.Equal(4, run.Layers.Count);
        Assert.Equal(4, model.Graph.Nodes.Count(n => n.OpType == "QuantizeLinear"));
        var weights = model.Graph.Initializers.Values.Where(t => t.DataType == TensorDataType.Int8 && t.Rank == 2).ToList();
        Assert.Equal(4, weights.Count);
        Assert.DoesNotContain(model.Graph.Initializers.Values, t => t.DataType == TensorDataType.Float && t.Rank == 2 && t.Dims[0] > 1); // biases stay float as [1, N]
        var zp = model.Graph.Initializers.Values.First(t => t.Name.EndsWith("_zero_point", StringComparison.Ordinal) && t.Rank == 0);
        Assert.Equal(activations == QuantizeActivationType.UInt8 ? TensorDataType.UInt8 : TensorDataType.Int8, zp.DataType);
        var (before, after) = Compare(original, model, OrtInput.Float("x", QuantTestModels.Samples("x", 1, 16, 64, outlier: 1f, seed: 99).Samples().First()[0].Data as float[] ?? [], 1, 16, 64));
        Assert.True(RelativeRmsError(before, after) < 0.03, $"relative RMS error {RelativeRmsError(before, after)}");
        Assert.All(run.Layers, l => Assert.StartsWith($"input {RecipeChoices.RangeMethod.Name(method)} range", l.Note, StringComparison.Ordinal));
    }

    [Fact]
    public void Onnx_runtime_fuses_the_qdq_matmuls_into_integer_kernels()
    {
        var model = SampleModels.GptBlock(dModel: 64, heads: 4);
        PassHarness.Run(model, QuantTestModels.Samples("x", 4, 16, 64, outlier: 1f), Step());

        var ops = QuantizeTestSupport.OptimizedOps(model);

        Assert.Contains("MatMulIntegerToFloat", ops);
        Assert.Contains("MatMul", ops); // the attention products stay float
    }

    [Fact]
    public void Excluded_layers_keep_float_weights()
    {
        var model = SampleModels.GptBlock(dModel: 32, heads: 4);

        var run = PassHarness.Run(model, QuantTestModels.Samples("x", 2, 8, 32), Step(exclude: ["/attn/c_proj/MatMul", "re:^/mlp/c_fc"]));

        // The two layers left are the pass's; the excluded ones keep their float weights and read no QuantizeLinear.
        Assert.Equal(["/attn/c_attn/MatMul", "/mlp/c_proj/MatMul"], run.Layers.Select(l => l.Name).Order(StringComparer.Ordinal));
        Assert.Contains("attn.c_proj.weight", model.Graph.Initializers.Keys);
        Assert.Contains("mlp.c_fc.weight", model.Graph.Initializers.Keys);
        Assert.DoesNotContain("attn.c_attn.weight", model.Graph.Initializers.Keys);
        Assert.Equal(2, model.Graph.Nodes.Count(n => n.OpType == "QuantizeLinear"));

        var none = SampleModels.GptBlock(dModel: 32, heads: 4);
        var nothing = PassHarness.Run(none, QuantTestModels.Samples("x", 2, 8, 32), Step(exclude: ["op:MatMul"]));
        Assert.Empty(nothing.Layers);
        Assert.Single(nothing.Sink.Items, d => d.Code == "MC3007"); // a step that finds no layer says so
        Assert.DoesNotContain(none.Graph.Nodes, n => n.OpType == "QuantizeLinear");
    }

    [Fact]
    public void Conv_and_transposed_gemm_get_per_channel_weights_and_int32_biases()
    {
        var model = SampleModels.ConvNet(channels: 1, height: 8, width: 8, classes: 4);
        var original = model.Clone();
        var calibration = QuantTestModels.Samples("input", 8, [1, 1, 8, 8], scale: 1f);

        var run = PassHarness.Run(model, calibration, Step());

        Assert.Equal(["Conv", "Conv", "Gemm"], run.Layers.Select(l => l.Op).Order(StringComparer.Ordinal));
        var dq = model.Graph.Nodes.Where(n => n.OpType == "DequantizeLinear").ToList();
        Assert.Contains(dq, n => n.GetInt("axis", 1) == 0 && model.Graph.Initializers[n.Inputs[0]].DataType == TensorDataType.Int32);
        Assert.Equal(3, model.Graph.Initializers.Values.Count(t => t.DataType == TensorDataType.Int8 && t.Rank >= 2));
        var (before, after) = Compare(original, model, OrtInput.Float("input", new DeterministicRandom(8).Uniform(64, 1f), 1, 1, 8, 8));
        Assert.True(RelativeRmsError(before, after) < 0.05, $"relative RMS error {RelativeRmsError(before, after)}");
    }

    [Fact]
    public void Mnist_8_per_channel_qdq_keeps_its_accuracy_on_a_test_subset()
    {
        var path = Fixtures.Require("models/mnist-8.onnx");
        var model = OnnxModel.Load(path);
        using var p = new TestProject();
        p.WriteRecipe(FixtureRecipe.Mnist("      - quantize: { mode: static }", "        - { metric: accuracy, max_drop: 0.02 }", verifySamples: 100, calibrationSamples: 32));

        var result = p.CompressSucceeded();

        Assert.Equal(8, model.GetOpsetVersion(""));
        var output = OnnxModel.Load(p.PathOf("out/mnist.onnx"));
        Assert.Equal(13, output.GetOpsetVersion("")); // raised for per-axis DequantizeLinear
        Assert.Equal(3, result.Report.Models[0].Steps[0].Layers.Count);
        var (pixels, labels) = Mnist.TestSet(1000);
        var fp32 = Accuracy(File.ReadAllBytes(path), pixels, labels);
        var int8 = Accuracy(File.ReadAllBytes(p.PathOf("out/mnist.onnx")), pixels, labels);
        Assert.True(int8 >= fp32 - 0.005, $"int8 top-1 {int8} vs fp32 {fp32}");
        Assert.True(int8 >= 0.98, $"int8 top-1 {int8}"); // fp32 0.987 on these 1,000 images
    }

    private static double Accuracy(byte[] model, float[][] images, byte[] labels)
    {
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(model);
        var correct = 0;
        for (var i = 0; i < images.Length; i++)
        {
            var logits = OrtRun.Run(session, OrtInput.Float("Input3", images[i], 1, 1, 28, 28))[0].Floats;
            correct += Array.IndexOf(logits, logits.Max()) == labels[i] ? 1 : 0;
        }

        return correct / (double)images.Length;
    }

    [Fact]
    public void A_model_whose_opset_cannot_be_raised_is_a_coded_error()
    {
        var b = new OnnxModelBuilder("old").Opset(9);
        b.Graph.Input("x", TensorDataType.Float, 1, 4);
        var w = b.Graph.Initializer("w", [4, 4], new DeterministicRandom(1).Uniform(16, 1f));
        var h = b.Graph.Op("MatMul", "x", w);
        // Pad (attributes become inputs at 11) is not converted by OpsetUpgrade.
        b.Graph.Node("Pad", [h], ["y"], "pad").SetAttribute("pads", new long[] { 0, 0, 0, 0 });
        b.Graph.Output("y", TensorDataType.Float, 1, 4);

        var error = Assert.Throws<ModelCompressException>(() =>
            PassHarness.Run(b.Build(), QuantTestModels.Samples("x", 1, [1, 4]), Step()));

        Assert.Equal("MC3110", error.Code);
        Assert.Contains("Pad", error.Message, StringComparison.Ordinal);
    }
}
