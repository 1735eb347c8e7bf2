using ModelCompress.Engine;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Reports;
using ModelCompress.Testing;
using ModelCompress.Tests.Engine;

namespace ModelCompress.Tests.Sharing;

/// <summary>Runs a char-GPT or mnist-8 recipe with given steps through the engine and returns the model report.</summary>
internal static class ShareDistillRun
{
    public static string CharGptModel(string steps, int calibrationSamples = 4, int verifySamples = 4, string cache = "cache: { enabled: false }") => $$"""
        version: 1
        allow_outside: true
        {{cache}}
        models:
          - name: gpt
            source: {{Fixtures.Require("models/char-gpt/char-gpt-6l384.onnx")}}
            calibration: { data: {{Fixtures.Require("data/wikitext-2/valid.txt")}}, tokenizer: bytes, seq_len: 128, samples: {{calibrationSamples}} }
            steps:
        {{steps}}
            verify:
              data: {{Fixtures.Require("data/wikitext-2/test.txt")}}
              tokenizer: bytes
              seq_len: 128
              samples: {{verifySamples}}
              thresholds:
                - { metric: top1_agreement, min: 0.01 }
        """;

    public static string MnistModel(string steps, int calibrationSamples = 64, string cache = "cache: { enabled: false }")
    {
        var images = Fixtures.Require("data/mnist/t10k-images-idx3-ubyte.gz");
        return $$"""
            version: 1
            allow_outside: true
            {{cache}}
            models:
              - name: mnist
                source: {{Fixtures.Require("models/mnist-8.onnx")}}
                calibration: { data: {{images}}, samples: {{calibrationSamples}} }
                steps:
            {{steps}}
                verify:
                  data: {{images}}
                  labels: {{Fixtures.Require("data/mnist/t10k-labels-idx1-ubyte.gz")}}
                  samples: 1000
                  thresholds:
                    - { metric: top1_agreement, min: 0.01 }
            """;
    }

    /// <summary>Compresses with the recipe in <paramref name="p"/> into <paramref name="output"/>; asserts success.</summary>
    public static (ModelReport Report, CompressResult Result) Run(TestProject p, string yaml, string output = "out")
    {
        p.WriteRecipe(yaml);
        var sink = new ListDiagnosticSink();
        var result = ModelCompressEngine.Compress(p.LoadRecipe(), new CompressOptions(p.PathOf(output)), sink, CancellationToken.None);
        Assert.True(result.Succeeded, string.Join("\n", sink.Items));
        return (result.Report.Models.Single(), result);
    }
}
