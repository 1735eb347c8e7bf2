using Microsoft.ML.OnnxRuntime;
using ModelCompress.Testing;

namespace ModelCompress.Onnx.Tests;

/// <summary>
/// Inputs for running each fixture model: real data where the fixtures have it (MNIST digits, WikiText-2 text),
/// deterministic signals shaped like the real thing otherwise, and a generic fallback from the model's metadata for
/// fixtures added later.
/// </summary>
internal static class FixtureInputs
{
    /// <summary>Input sets (each one run) for the model at <paramref name="path"/>.</summary>
    public static IReadOnlyList<OrtInput[]> For(string path)
    {
        var name = Path.GetFileName(path);
        return name switch
        {
            "mnist-8.onnx" => MnistDigits(8),
            "char-gpt-6l384.onnx" =>
            [
                [OrtInput.Int64("input_ids", TextData.WikiTextTokenIds(0, 128), 1, 128)],
                [OrtInput.Int64("input_ids", TextData.WikiTextTokenIds(50_000, 256), 2, 128)],
            ],
            "silero-vad-legacy.onnx" => [SileroChunk(0), SileroChunk(1)],
            "ch_PP-OCRv4_rec_infer.onnx" => [[OrtInput.Float("x", TextLineImage(48, 320, 1), 1, 3, 48, 320)]],
            "ch_ppocr_mobile_v2.0_cls_infer.onnx" => [[OrtInput.Float("x", TextLineImage(48, 192, 2), 1, 3, 48, 192)]],
            _ => [Generic(path)],
        };
    }

    /// <summary>The first <paramref name="count"/> MNIST test digits, raw 0-255 as mnist-8 expects, one run each.</summary>
    public static IReadOnlyList<OrtInput[]> MnistDigits(int count)
    {
        var (images, _) = Mnist.TestSet(count);
        return [.. images.Select(img => new[] { OrtInput.Float("Input3", img, 1, 1, Mnist.Side, Mnist.Side) })];
    }

    /// <summary>32 ms of 16 kHz audio (a 440 Hz tone with noise), sample rate, and zero LSTM state.</summary>
    private static OrtInput[] SileroChunk(int chunk)
    {
        var rng = new DeterministicRandom(42 + (ulong)chunk);
        var audio = new float[512];
        for (var i = 0; i < audio.Length; i++)
        {
            var t = ((chunk * 512) + i) / 16000.0;
            audio[i] = (float)(0.3 * Math.Sin(2 * Math.PI * 440 * t)) + rng.NextUniform(0.05f);
        }

        return
        [
            OrtInput.Float("input", audio, 1, 512),
            OrtInput.Int64("sr", [16000]),
            OrtInput.Float("h", new float[2 * 64], 2, 1, 64),
            OrtInput.Float("c", new float[2 * 64], 2, 1, 64),
        ];
    }

    /// <summary>A synthetic text-line image (dark strokes on a light background), normalised as PaddleOCR does: (v/255 − 0.5)/0.5.</summary>
    private static float[] TextLineImage(int height, int width, ulong seed)
    {
        var rng = new DeterministicRandom(seed);
        var img = new float[3 * height * width];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var stroke = (x / 6 % 3 == 0 && y > 10 && y < 38) || (y is > 22 and < 26 && x % 24 < 16);
                var v = stroke ? 30f + (rng.NextFloat() * 20f) : 220f + (rng.NextFloat() * 30f);
                for (var c = 0; c < 3; c++)
                {
                    img[(c * height * width) + (y * width) + x] = ((v / 255f) - 0.5f) / 0.5f;
                }
            }
        }

        return img;
    }

    /// <summary>For fixtures without a dedicated entry: symbolic axes become 1, floats uniform in [-1, 1), integers 0.</summary>
    private static OrtInput[] Generic(string path)
    {
        using var session = new InferenceSession(path);
        var rng = new DeterministicRandom(7);
        return
        [
            .. session.InputMetadata.Select(kv =>
            {
                var shape = kv.Value.Dimensions.Select(d => d < 0 ? 1L : d).ToArray();
                var count = (int)shape.Aggregate(1L, (a, b) => a * b);
                return kv.Value.ElementDataType switch
                {
                    Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float => OrtInput.Float(kv.Key, rng.Uniform(count, 1f), shape),
                    Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Int64 => OrtInput.Int64(kv.Key, new long[count], shape),
                    _ => throw new NotSupportedException($"{path}: add inputs for '{kv.Key}' ({kv.Value.ElementDataType}) to FixtureInputs."),
                };
            }),
        ];
    }
}
