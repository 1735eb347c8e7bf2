using Microsoft.ML.OnnxRuntime;
using ModelCompress.Testing;
using Xunit.Abstractions;

namespace ModelCompress.Onnx.Tests;

/// <summary>
/// The round-tripped real models still do their job on real data (so the bit-equality checks compare meaningful
/// outputs): mnist-8 reads digits, char-gpt predicts WikiText-2 bytes.
/// </summary>
public class FixtureAccuracyTests(ITestOutputHelper output)
{
    [Fact]
    public void Round_tripped_mnist8_classifies_real_digits_like_the_original()
    {
        var path = Fixtures.Require("models/mnist-8.onnx");
        using var tmp = new TempDirectory();
        OnnxModel.Load(path).Save(tmp.File("mnist.onnx"));
        var (images, labels) = Mnist.TestSet(200);
        using var original = new InferenceSession(path, OrtRun.DeterministicOptions());
        using var saved = new InferenceSession(tmp.File("mnist.onnx"), OrtRun.DeterministicOptions());
        var correct = 0;
        for (var i = 0; i < images.Length; i++)
        {
            var input = OrtInput.Float("Input3", images[i], 1, 1, Mnist.Side, Mnist.Side);
            var a = OrtRun.Run(original, input)[0];
            var b = OrtRun.Run(saved, input)[0];
            Assert.Equal(a.RawBytes, b.RawBytes);
            correct += ArgMax(b.Floats) == labels[i] ? 1 : 0;
        }

        output.WriteLine($"mnist-8 after round trip: {correct}/200 correct");
        // The card reports 98.91% on all 10,000; 200 digits leave room for a few misses.
        Assert.True(correct >= 190, $"{correct}/200 correct");
    }

    [Fact]
    public void Round_tripped_char_gpt_predicts_WikiText_bytes()
    {
        var path = Fixtures.Require("models/char-gpt/char-gpt-6l384.onnx");
        using var tmp = new TempDirectory();
        OnnxModel.Load(path).Save(tmp.File("gpt.onnx"), new OnnxSaveOptions { ExternalDataThreshold = 4096 });
        var ids = TextData.WikiTextTokenIds(10_000, 128);
        var logits = OrtRun.Run(tmp.File("gpt.onnx"), OrtInput.Int64("input_ids", ids, 1, 128))[0].Floats;
        var hits = 0;
        for (var t = 0; t < 127; t++)
        {
            hits += ArgMax(logits.AsSpan(t * 256, 256)) == ids[t + 1] ? 1 : 0;
        }

        output.WriteLine($"char-gpt after round trip: {hits}/127 next bytes");
        // The card reports next-byte top-1 0.6312 over the held-out set; one window varies around it.
        Assert.True(hits >= 64, $"{hits}/127 next bytes predicted");
    }

    private static int ArgMax(ReadOnlySpan<float> v)
    {
        var best = 0;
        for (var i = 1; i < v.Length; i++)
        {
            if (v[i] > v[best])
            {
                best = i;
            }
        }

        return best;
    }
}
