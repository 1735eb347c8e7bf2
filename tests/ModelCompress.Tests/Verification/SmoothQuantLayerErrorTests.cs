using ModelCompress.Engine;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Testing;
using ModelCompress.Tests.Engine;

namespace ModelCompress.Tests.Verification;

/// <summary>
/// The per-layer analysis of a SmoothQuant model: the compressed layers read X/s and hold s·W, so each is fed the
/// fp32 input divided by the smoothing factors read back from its weights. Without that, every smoothed layer would
/// be compared on the wrong input scale and rank as hopeless (negative SNR).
/// </summary>
public sealed class SmoothQuantLayerErrorTests
{
    private static CompressResult Run(string steps)
    {
        using var p = new TestProject();
        p.AddModel("models/gpt.onnx", SampleModels.GptBlock(dModel: 64, heads: 4));
        p.AddRandomData("data/calib.npz", 3, ("x", [8, 16, 64]));
        p.AddRandomData("data/verify.npz", 4, ("x", [6, 16, 64]));
        p.WriteRecipe($$"""
            version: 1
            models:
              - name: gpt
                source: models/gpt.onnx
                calibration: { data: data/calib.npz, samples: 8 }
                steps:
            {{steps}}
                verify:
                  data: data/verify.npz
                  thresholds:
                    - { metric: cosine, min: 0.99 }
            """);
        var sink = new ListDiagnosticSink();
        var result = ModelCompressEngine.Compress(p.LoadRecipe(), new CompressOptions(p.PathOf("out")), sink, CancellationToken.None);
        Assert.True(result.Succeeded, string.Join("\n", sink.Items));
        return result;
    }

    [Fact]
    public void Smoothed_layers_are_measured_on_their_smoothed_input_and_rank_like_plain_int8()
    {
        var plain = Run("      - quantize: { mode: static }");
        var smoothed = Run("      - smoothquant: { alpha: 0.5 }\n      - quantize: { mode: static }");

        var alphas = smoothed.Report.Models[0].Steps[0].Layers.Where(l => l.Alpha is not null).Select(l => l.Name).ToHashSet();
        Assert.NotEmpty(alphas);
        var plainSnr = plain.Report.Models[0].Verification!.Layers!.ToDictionary(l => l.Name, l => l.SnrDb);
        var layers = smoothed.Report.Models[0].Verification!.Layers!;
        Assert.Contains(layers, l => alphas.Contains(l.Name));
        foreach (var l in layers.Where(l => alphas.Contains(l.Name)))
        {
            // Same layer, same data, int8 either way: smoothing moves the error by some dB, not to noise level.
            Assert.True(l.SnrDb is > 20, $"{l.Name}: {l.SnrDb} dB (plain int8: {plainSnr[l.Name]} dB)");
            // Measured: −11, −7, −0.8 and +0.1 dB against plain int8. On this data without outliers α = 0.5 moves
            // error into the layers whose inputs were already easy, by a bounded amount; a misread input scale costs
            // 40 dB or more.
            Assert.InRange(l.SnrDb!.Value, plainSnr[l.Name]!.Value - 13, plainSnr[l.Name]!.Value + 3);
            Assert.InRange(l.Cosine!.Value, 0.99, 1.0);
        }
    }
}
