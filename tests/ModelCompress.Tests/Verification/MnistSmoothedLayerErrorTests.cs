using ModelCompress.Engine;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Testing;
using ModelCompress.Tests.Engine;

namespace ModelCompress.Tests.Verification;

/// <summary>
/// The per-layer table must agree with the model's end-to-end error on a real fixture. mnist-8's classifier MatMul
/// (Times212) reads its weight Parameter193 [16, 4, 4, 10] through a Reshape to [256, 10]; SmoothQuant smooths the
/// reshaped rows. The analysis must read the smoothing factors in that same layout, or it feeds the int8 layer an
/// unsmoothed input and reports it as noise (−5 dB) while the logits' cosine with fp32 is 0.99998.
/// </summary>
public sealed class MnistSmoothedLayerErrorTests
{
    private static CompressResult Run(string steps)
    {
        using var p = new TestProject();
        p.WriteRecipe(FixtureRecipe.Mnist(steps, "        - { metric: top1_agreement, min: 0.98 }", verifySamples: 100, calibrationSamples: 64, labels: false));
        return p.CompressSucceeded();
    }

    [Fact]
    public void Every_layer_of_smoothed_mnist_is_consistent_with_the_output_error()
    {
        var plain = Run("      - quantize: { mode: static }");
        var smoothed = Run("      - smoothquant: { alpha: 0.5 }\n      - quantize: { mode: static }");

        var output = smoothed.Report.Models[0].Verification!.Metrics;
        var plainLayers = plain.Report.Models[0].Verification!.Layers!.ToDictionary(l => l.Name, l => l.SnrDb!.Value);
        var layers = smoothed.Report.Models[0].Verification!.Layers!;
        Assert.Contains(smoothed.Report.Models[0].Steps[0].Layers, l => l.Name == "Times212" && l.Alpha is not null);
        Assert.Equal(plainLayers.Keys.Order(), layers.Select(l => l.Name).Order());
        foreach (var l in layers)
        {
            // A layer far noisier than the whole model's output would mean the table misreads it: each int8 layer
            // adds its own error, so none can be much below the output's SNR while the logits stay this close.
            Assert.True(l.SnrDb!.Value > output.SnrDb - 12,
                $"{l.Name}: {l.SnrDb:F1} dB per layer vs {output.SnrDb:F1} dB at the output (cosine {output.Cosine:F6})");
            Assert.InRange(l.SnrDb.Value, plainLayers[l.Name] - 10, plainLayers[l.Name] + 10);
            Assert.True(l.Cosine > 0.999, $"{l.Name}: cosine {l.Cosine}");
        }
    }
}
