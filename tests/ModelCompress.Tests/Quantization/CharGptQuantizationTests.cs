using Microsoft.ML.OnnxRuntime;
using ModelCompress.Calibration;
using ModelCompress.Onnx;
using ModelCompress.Quantization;
using ModelCompress.Recipe;
using ModelCompress.Testing;
using static ModelCompress.Tests.Quantization.QuantizeTestSupport;

namespace ModelCompress.Tests.Quantization;

/// <summary>The real byte-level GPT, kept short: a few calibration windows and a few test windows.</summary>
public sealed class CharGptQuantizationTests
{
    [Fact]
    public void Smoothquant_then_static_int8_is_a_quarter_of_the_size_and_agrees_with_float_on_next_bytes()
    {
        var path = Fixtures.Require("models/char-gpt/char-gpt-6l384.onnx");
        var model = OnnxModel.Load(path);
        var data = new DataSource(Fixtures.Require("data/wikitext-2/valid.txt"), DataFormat.Text, TokenizerKind.Bytes, null, 128, null, Here);
        var calibration = CalibrationSources.Create(new CalibrationSettings(data, 4, 0, Here), model);

        var smooth = SmoothQuantizer.Apply(model, new SmoothQuantStep(0.5, 0.3, 0.7, 0.05, AlphaCombine.Mean, true, Here), calibration, null, default);
        var result = QdqQuantizer.QuantizeStatic(model, Step(), calibration, 0, default);

        Assert.Equal(25, smooth.Groups.Count);
        // LayerNorms (13) fold; the attention merge (a Reshape) and GELU's closing Mul (kept for ORT's Gelu fusion) get a Mul.
        Assert.Equal(13, smooth.Groups.Count(g => g.Placement.StartsWith("folded", StringComparison.Ordinal)));
        Assert.Equal(6, smooth.Groups.Count(g => g.Placement.Contains("closes a GELU", StringComparison.Ordinal)));
        Assert.Equal(25, result.Layers.Count(l => l.Mode == "static"));
        Assert.Equal(2, result.Layers.Count(l => l.Mode == "weight_only"));
        var bytes = model.ToBytes();
        Assert.True(bytes.Length < 0.26 * new FileInfo(path).Length, $"{bytes.Length} bytes");

        var ids = TextData.WikiTextTokenIds(0, 4 * 128);
        var reference = Argmax(File.ReadAllBytes(path), ids);
        var quantized = Argmax(bytes, ids);
        var agreement = reference.Zip(quantized).Count(p => p.First == p.Second) / (double)reference.Length;
        // Measured 0.988 on these 512 predictions (0.991 on the full WikiText-2 test, docs/benchmarks.md).
        Assert.True(agreement >= 0.98, $"top-1 agreement {agreement}");
    }

    private static int[] Argmax(byte[] model, long[] ids)
    {
        using var session = new InferenceSession(model);
        var logits = OrtRun.Run(session, OrtInput.Int64("input_ids", ids, 4, 128))[0].Floats;
        return [.. Enumerable.Range(0, logits.Length / 256).Select(i =>
        {
            var row = logits.AsSpan(i * 256, 256);
            var best = 0;
            for (var v = 1; v < 256; v++)
            {
                best = row[v] > row[best] ? v : best;
            }

            return best;
        })];
    }
}
