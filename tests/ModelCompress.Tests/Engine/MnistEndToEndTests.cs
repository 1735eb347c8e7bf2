using ModelCompress.Engine;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Testing;

namespace ModelCompress.Tests.Engine;

/// <summary>The real fixture: the model zoo's opset-8 MNIST CNN on the first 1,000 MNIST test images.</summary>
public sealed class MnistEndToEndTests
{
    [Fact]
    public void Weight_only_int8_mnist_keeps_top1_within_half_a_point_of_fp32_at_about_a_third_of_the_size()
    {
        using var p = new TestProject();
        p.WriteRecipe(FixtureRecipe.Mnist(
            "      - quantize: { mode: weight_only }",
            "        - { metric: accuracy, max_drop: 0.005 }\n        - { metric: top1_agreement, min: 0.99 }",
            verifySamples: 1000));

        var result = p.CompressSucceeded();

        var m = result.Report.Models.Single();
        var metrics = m.Verification!.Metrics;
        Assert.Equal(1000, metrics.Samples);
        Assert.InRange(metrics.ReferenceAccuracy!.Value, 0.97, 1.0); // fp32 scores 98.91% on all 10,000
        Assert.InRange(metrics.AccuracyDrop!.Value, -0.005, 0.005);
        Assert.True(m.Verification.Passed);
        // All three weights (two Conv kernels and the Reshape-fed MatMul weight) become int8.
        Assert.Equal(3, m.Steps[0].Layers.Count);
        Assert.InRange(m.SizeRatio, 0.3, 0.4);
        var output = OnnxModel.Load(p.PathOf("out/mnist.onnx"));
        Assert.Equal(13, output.GetOpsetVersion(string.Empty));
        Assert.Equal(3, output.Graph.Nodes.Count(n => n.OpType == "DequantizeLinear"));
    }
}
