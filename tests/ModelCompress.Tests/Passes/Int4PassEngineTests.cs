using ModelCompress.Engine;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Testing;
using ModelCompress.Tests.Engine;
using static ModelCompress.Tests.Quantization.QuantizeTestSupport;

namespace ModelCompress.Tests.Passes;

/// <summary>
/// <c>quantize: { weights: int4 }</c> through the engine on a generated transformer block: the output is standard
/// ONNX (blocked int4 DequantizeLinear, opset 21) that ONNX Runtime loads, runs and fuses into MatMulNBits; RTN and
/// GPTQ, symmetric and asymmetric; the cache makes a second run compute nothing and the bytes are the same.
/// </summary>
public sealed class Int4PassEngineTests
{
    private static TestProject GptProject(string steps, string thresholds = "        - { metric: cosine, min: 0.98 }") =>
        TestProject.GptBlock(steps, thresholds);

    private static CompressResult Compress(TestProject p, string output, ListDiagnosticSink sink, string? cache = null) =>
        p.Compress(sink, output, cache);

    [Theory]
    [InlineData("rtn", true, 32)]
    [InlineData("gptq", true, 32)]
    [InlineData("rtn", false, 16)]
    [InlineData("gptq", false, 64)]
    public void Int4_writes_blocked_dequantize_linear_that_onnx_runtime_runs_and_fuses_into_matmul_nbits(string algorithm, bool symmetric, int block)
    {
        using var p = GptProject($"      - quantize: {{ weights: int4, algorithm: {algorithm}, block_size: {block}, symmetric_weights: {(symmetric ? "true" : "false")} }}");
        var sink = new ListDiagnosticSink();

        var result = Compress(p, "out", sink);

        Assert.True(result.Succeeded, string.Join("\n", sink.Items));
        Assert.DoesNotContain(sink.Items, d => d.Severity != DiagnosticSeverity.Info);
        var step = Assert.Single(result.Report.Models[0].Steps);
        Assert.Equal("int4_" + algorithm, step.Pass);
        Assert.Equal(4, step.Layers.Count);
        var output = OnnxModel.Load(p.PathOf("out/gpt.onnx"));
        Assert.Equal(21, output.GetOpsetVersion(string.Empty));
        var dq = output.Graph.Nodes.Where(n => n.OpType == "DequantizeLinear").ToList();
        Assert.Equal(4, dq.Count);
        Assert.All(dq, n => Assert.Equal(block, n.GetInt("block_size", 0)));
        var codeType = symmetric ? TensorDataType.Int4 : TensorDataType.UInt4;
        Assert.Equal(4, output.Graph.Initializers.Values.Count(t => t.DataType == codeType && t.Rank == 2 && t.Name.EndsWith("_int4", StringComparison.Ordinal)));
        Assert.DoesNotContain(output.Graph.Initializers.Values, t => t.DataType == TensorDataType.Float && t.Rank == 2 && t.Dims[0] > 4 && t.Dims[1] > 4 && !t.Name.EndsWith("_scale", StringComparison.Ordinal));
        Assert.Contains("MatMulNBits", OptimizedOps(output));
        Assert.True(result.Report.Models[0].Verification!.Passed);
    }

    [Fact]
    public void Gptq_int4_with_a_cache_computes_nothing_the_second_time_and_gives_the_same_bytes()
    {
        using var p = GptProject("      - quantize: { weights: int4, algorithm: gptq, block_size: 32 }");
        var cache = p.PathOf("cache");

        var first = Compress(p, "out1", new ListDiagnosticSink(), cache);
        var second = Compress(p, "out2", new ListDiagnosticSink(), cache);
        var uncached = Compress(p, "out3", new ListDiagnosticSink());

        Assert.True(first.Succeeded && second.Succeeded && uncached.Succeeded);
        var timings = Assert.Single(second.Report.Timings.Models).Cache!;
        Assert.Equal((4, 0, 0), (timings.LayerHits, timings.LayerMisses, timings.CalibrationMisses));
        Assert.Equal(File.ReadAllBytes(p.PathOf("out1/gpt.onnx")), File.ReadAllBytes(p.PathOf("out2/gpt.onnx")));
        Assert.Equal(File.ReadAllBytes(p.PathOf("out1/gpt.onnx")), File.ReadAllBytes(p.PathOf("out3/gpt.onnx")));
    }
}
