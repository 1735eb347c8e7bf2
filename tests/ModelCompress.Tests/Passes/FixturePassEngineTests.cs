using ModelCompress.Engine;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Testing;
using ModelCompress.Tests.Engine;

namespace ModelCompress.Tests.Passes;

/// <summary>The real fixtures through the engine's smoothquant and static quantize steps, kept short.</summary>
public sealed class FixturePassEngineTests
{
    [Fact]
    public void Mnist8_static_per_channel_int8_runs_in_onnx_runtime_and_keeps_top1_on_1000_test_images()
    {
        using var p = new TestProject();
        p.WriteRecipe(FixtureRecipe.Mnist(
            "      - quantize: { mode: static, weights: int8, activations: uint8, per_channel: true, method: minmax }",
            "        - { metric: accuracy, max_drop: 0.003 }\n        - { metric: top1_agreement, min: 0.99 }",
            verifySamples: 1000,
            calibrationSamples: 64));

        var result = p.CompressSucceeded();

        var m = result.Report.Models.Single();
        Assert.Equal("static_int8_qdq", m.Steps[0].Pass);
        Assert.Equal(3, m.Steps[0].Layers.Count);
        Assert.True(m.Verification!.Passed);
        var output = OnnxModel.Load(p.PathOf("out/mnist.onnx"));
        // The input, both Conv outputs, and the two MaxPool outputs and the Reshape output that keep their input's scale.
        Assert.Equal(6, output.Graph.Nodes.Count(n => n.OpType == "QuantizeLinear"));
        var weights = output.Graph.Initializers.Values.Where(t => t.DataType == TensorDataType.Int8 && t.Rank >= 2).ToList();
        Assert.Equal(3, weights.Count);
        // Per channel: the two Conv kernels have 8 and 16 output channels, each with its own scale.
        var scales = output.Graph.Initializers.Values.Where(t => t.Name.EndsWith("_scale", StringComparison.Ordinal) && t.Rank == 1).Select(t => t.ElementCount).ToList();
        Assert.Contains(8, scales);
        Assert.Contains(16, scales);
    }

    [Fact]
    public void Char_gpt_smoothquant_auto_then_static_int8_is_a_quarter_of_the_size_and_agrees_with_fp32()
    {
        using var p = new TestProject();
        p.WriteRecipe(FixtureRecipe.CharGpt(
            "      - smoothquant: { alpha: auto }\n      - quantize: { mode: static, weights: int8, activations: uint8, per_channel: true, method: minmax }",
            "        - { metric: top1_agreement, min: 0.97 }\n        - { metric: perplexity, max_increase: 0.01 }",
            verifySamples: 6,
            calibrationSamples: 8));

        var result = p.CompressSucceeded();

        var m = result.Report.Models.Single();
        Assert.True(m.Verification!.Passed);
        Assert.True(m.SizeRatio <= 0.26, $"size ratio {m.SizeRatio}");
        var smooth = m.Steps[0];
        Assert.Equal(25, smooth.Layers.Count);
        Assert.All(smooth.Layers, l => Assert.Equal(9, l.AlphaSearch!.Curve.Count));
        Assert.Equal(25, m.Steps[1].Layers.Count(l => l.Op == "MatMul"));
        var output = OnnxModel.Load(p.PathOf("out/gpt.onnx"));
        Assert.Equal(25, output.Graph.Nodes.Count(n => n.OpType == "DequantizeLinear" && output.Graph.Initializers.TryGetValue(n.Inputs[0], out var t) && t.DataType == TensorDataType.Int8 && t.Rank == 2) - 2);
    }
}
