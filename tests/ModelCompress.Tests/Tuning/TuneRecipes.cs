using ModelCompress.Testing;

namespace ModelCompress.Tests.Tuning;

/// <summary>Recipes with a <c>tune:</c> section on the real fixtures.</summary>
internal static class TuneRecipes
{
    /// <summary>mnist-8 with MNIST test images for calibration (the last 64) and verification (the first <paramref name="samples"/>).</summary>
    public static string Mnist(string tune, string thresholds, int samples = 300, string verifyExtra = "") =>
        MnistRecipe("tune:", tune, thresholds, samples, verifyExtra);

    /// <summary>The same model and data with fixed steps (a hand-written recipe to compare the tuner with).</summary>
    public static string MnistSteps(string steps, string thresholds, int samples = 300) =>
        MnistRecipe("steps:", steps, thresholds, samples, verifyExtra: "");

    /// <summary>One mnist-8 recipe whose model section is <paramref name="section"/> (<c>tune:</c> or <c>steps:</c>).</summary>
    private static string MnistRecipe(string section, string body, string thresholds, int samples, string verifyExtra)
    {
        var images = Fixtures.Require("data/mnist/t10k-images-idx3-ubyte.gz");
        return $$"""
            version: 1
            allow_outside: true
            models:
              - name: mnist
                source: {{Fixtures.Require("models/mnist-8.onnx")}}
                calibration: { data: {{images}}, samples: 64 }
                {{section}}
            {{body}}
                verify:
                  data: {{images}}
                  labels: {{Fixtures.Require("data/mnist/t10k-labels-idx1-ubyte.gz")}}
                  samples: {{samples}}
                  per_layer: false
            {{verifyExtra}}
                  thresholds:
            {{thresholds}}
            """;
    }

    /// <summary>
    /// char-GPT calibrated on <paramref name="calibration"/> windows of 128 bytes of WikiText-2 valid and verified on
    /// <paramref name="verify"/> windows of WikiText-2 test, with the model section <paramref name="tune"/>.
    /// </summary>
    public static string CharGpt(string tune, string thresholds, int calibration = 32, int verify = 32) => $$"""
        version: 1
        allow_outside: true
        models:
          - name: char-gpt
            source: {{Fixtures.Require("models/char-gpt/char-gpt-6l384.onnx")}}
            calibration: { data: {{Fixtures.Require("data/wikitext-2/valid.txt")}}, tokenizer: bytes, seq_len: 128, samples: {{calibration}} }
            tune:
        {{tune}}
            verify:
              data: {{Fixtures.Require("data/wikitext-2/test.txt")}}
              tokenizer: bytes
              seq_len: 128
              samples: {{verify}}
              per_layer: false
              thresholds:
        {{thresholds}}
        """;

    /// <summary>
    /// The PP-OCRv4 recognizer with the evaluation's MNIST digit lines written into <paramref name="p"/>: calibration
    /// lines from image 5,000 on, verification lines from image 0 on (disjoint).
    /// </summary>
    public static string OcrRec(TestProject p, string tune, string thresholds, int calibration, int verify)
    {
        var (images, _) = ModelCompress.Testing.Mnist.TestSet(5000 + (calibration * EvalOcrLines.Digits));
        EvalOcrLines.WriteNpy(p.PathOf("calib.npy"), images, 5000, calibration);
        EvalOcrLines.WriteNpy(p.PathOf("verify.npy"), images, 0, verify);
        return $$"""
            version: 1
            allow_outside: true
            models:
              - name: rec
                source: {{Fixtures.Require("models/ppocrv4/ch_PP-OCRv4_rec_infer.onnx")}}
                calibration: { data: calib.npy, samples: {{calibration}} }
                tune:
            {{tune}}
                verify:
                  data: verify.npy
                  samples: {{verify}}
                  per_layer: false
                  thresholds:
            {{thresholds}}
            """;
    }
}
