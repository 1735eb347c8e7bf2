using ModelCompress.Onnx;
using ModelCompress.Recipe;
using ModelCompress.Testing;
using static ModelCompress.Tests.Quantization.QuantizeTestSupport;

namespace ModelCompress.Tests.Quantization;

/// <summary>The dynamic int8 pass on generated models, run as the engine runs it (<see cref="PassHarness"/>).</summary>
public sealed class DynamicQuantizerTests
{
    [Fact]
    public void Dynamic_gpt_block_runs_fused_in_onnx_runtime_close_to_float()
    {
        var model = SampleModels.GptBlock(dModel: 64, heads: 4);
        var original = model.Clone();

        var run = PassHarness.Run(model, null, Step(mode: QuantizeMode.Dynamic));

        Assert.Equal(4, run.Layers.Count);
        Assert.All(run.Layers, l => Assert.Equal("input quantized at run time (DynamicQuantizeLinear)", l.Note));
        Assert.Equal(4, model.Graph.Nodes.Count(n => n.OpType == "DynamicQuantizeLinear"));
        Assert.Contains("DynamicQuantizeMatMul", OptimizedOps(model)); // ORT fused quantize + integer product + scale + bias
        var x = new DeterministicRandom(3).Uniform(16 * 64, 2f);
        var before = OrtRun.Run(original.ToBytes(), OrtInput.Float("x", x, 1, 16, 64))[0].Floats;
        var after = OrtRun.Run(model.ToBytes(), OrtInput.Float("x", x, 1, 16, 64))[0].Floats;
        var rms = Math.Sqrt(before.Zip(after).Sum(p => (p.First - p.Second) * (double)(p.First - p.Second)) / before.Sum(v => v * (double)v));
        Assert.True(rms < 0.03, $"relative RMS error {rms}");
    }

    [Fact]
    public void Gemm_layers_become_matmul_integer_with_alpha_and_beta_kept_and_conv_stays_float()
    {
        var model = SampleModels.ConvNet(channels: 1, height: 8, width: 8, classes: 4);
        var gemm = model.Graph.Nodes.Single(n => n.OpType == "Gemm");
        gemm.SetAttribute("alpha", 0.5f).SetAttribute("beta", 2f);
        var original = model.Clone();

        var run = PassHarness.Run(model, null, Step(mode: QuantizeMode.Dynamic, perChannel: false));

        // Only the Gemm is the pass's: dynamic mode leaves Conv layers float.
        Assert.Equal("Gemm", Assert.Single(run.Layers).Op);
        Assert.Equal(original.Graph.Nodes.Count(n => n.OpType == "Conv"), model.Graph.Nodes.Count(n => n.OpType == "Conv"));
        Assert.DoesNotContain(model.Graph.Nodes, n => n.OpType == "Gemm");
        Assert.Single(model.Graph.Nodes, n => n.OpType == "MatMulInteger");
        var x = new DeterministicRandom(4).Uniform(64, 1f);
        var before = OrtRun.Run(original.ToBytes(), OrtInput.Float("input", x, 1, 1, 8, 8))[0].Floats;
        var after = OrtRun.Run(model.ToBytes(), OrtInput.Float("input", x, 1, 1, 8, 8))[0].Floats;
        Assert.All(before.Zip(after), p => Assert.True(Math.Abs(p.First - p.Second) < 0.05 * (Math.Abs(p.First) + 0.1), $"{p.First} vs {p.Second}"));
    }
}
