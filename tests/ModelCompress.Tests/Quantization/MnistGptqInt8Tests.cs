using ModelCompress.Engine;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Testing;
using ModelCompress.Tests.Engine;

namespace ModelCompress.Tests.Quantization;

/// <summary>
/// <c>algorithm: gptq</c> on static int8 of the model zoo's mnist-8, through the engine: the first Conv (whose input,
/// whole-number pixels, int8 carries exactly) moves less from fp32 than with round-to-nearest on held-out images, the
/// predictions hold, and two runs write the same bytes.
/// </summary>
public sealed class MnistGptqInt8Tests
{
    [Fact]
    public void Gptq_weights_bring_the_first_conv_closer_to_fp32_and_are_deterministic()
    {
        var (plain, _) = Compress("      - quantize: { mode: static }");
        var (gptq, gptqBytes) = Compress("      - quantize: { mode: static, algorithm: gptq }");
        var (_, again) = Compress("      - quantize: { mode: static, algorithm: gptq }");

        Assert.True(gptqBytes.AsSpan().SequenceEqual(again), Difference(gptqBytes, again));
        var first = (Plain: plain.First(l => l.Name == "Convolution28"), Gptq: gptq.First(l => l.Name == "Convolution28"));
        Assert.True(first.Gptq.Snr > first.Plain.Snr, $"first Conv SNR: gptq {first.Gptq.Snr:F2} dB, round-to-nearest {first.Plain.Snr:F2} dB");
    }

    /// <summary>Where two runs' models differ: the first byte and the initializers whose data differ (to find the source).</summary>
    private static string Difference(byte[] first, byte[] second)
    {
        var at = first.AsSpan().CommonPrefixLength(second);
        var (a, b) = (OnnxModel.FromBytes(first), OnnxModel.FromBytes(second));
        var tensors = a.Graph.Initializers.Values
            .Where(t => !b.Graph.Initializers.TryGetValue(t.Name, out var other) || !t.DataEquals(other))
            .Select(t => t.Name);
        return $"two GPTQ runs differ: {first.Length} vs {second.Length} bytes, first difference at byte {at}; initializers: {string.Join(", ", tensors)}";
    }

    private static (List<(string Name, double Snr)> Layers, byte[] Bytes) Compress(string step)
    {
        using var p = new TestProject();
        p.WriteRecipe(FixtureRecipe.Mnist(step, "        - { metric: top1_agreement, min: 0.98 }", verifySamples: 200, calibrationSamples: 32));
        var sink = new ListDiagnosticSink();

        var result = ModelCompressEngine.Compress(p.LoadRecipe(), new CompressOptions(p.PathOf("out")), sink, CancellationToken.None);

        Assert.True(result.Succeeded, string.Join("\n", sink.Items));
        var layers = result.Report.Models[0].Verification!.Layers!.Where(l => l.SnrDb is not null).Select(l => (l.Name, l.SnrDb!.Value)).ToList();
        return (layers, File.ReadAllBytes(p.PathOf("out/mnist.onnx")));
    }
}
