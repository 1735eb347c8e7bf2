using Microsoft.ML.OnnxRuntime;
using ModelCompress.Engine;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Testing;
using ModelCompress.Tests.Engine;

namespace ModelCompress.Tests.Quantization;

/// <summary>
/// Static int8 of the model zoo's MNIST CNN (Conv → Add → Relu → MaxPool, twice, then Reshape → MatMul → Add) made by
/// the engine, run by ONNX Runtime with its profiler: both convolutions run as QLinearConv (the bias Add folded into
/// the Conv, the Relu absorbed by the output's zero point), both MaxPools and the Reshape on uint8 values (they share
/// their input's scale), the MatMul as MatMulIntegerToFloat; the predictions match fp32 on real test images.
/// </summary>
public sealed class MnistConvQdqTests
{
    [Fact]
    public void Static_int8_of_the_ppocr_direction_classifier_runs_every_conv_as_qlinearconv()
    {
        using var p = new TestProject();
        var calibration = p.PathOf("calib.npy");
        var (images, _) = Mnist.TestSet(48);
        var line = OcrLine(images);
        Data.NpyWriter.WriteFile(calibration, Data.NdArray.FromFloats([.. line, .. line.Select(v => -v)], 2, 3, 48, 192));
        p.WriteRecipe($$"""
            version: 1
            allow_outside: true
            models:
              - name: cls
                source: {{Fixtures.Require("models/ppocrv4/ch_ppocr_mobile_v2.0_cls_infer.onnx")}}
                calibration: { data: {{calibration}}, samples: 2 }
                steps:
                  - quantize: { mode: static }
            """);
        var sink = new ListDiagnosticSink();

        var result = ModelCompressEngine.Compress(p.LoadRecipe(), new CompressOptions(p.PathOf("out")), sink, CancellationToken.None);

        Assert.True(result.Succeeded, string.Join("\n", sink.Items));
        var path = p.PathOf("out/cls.onnx");
        Assert.DoesNotContain(OnnxModel.Load(path).Graph.Nodes, n => n.OpType == "BatchNormalization");
        var profile = OrtKernelProfile.Measure(path, "x", () => OrtValue.CreateTensorValueFromMemory(line, [1, 3, 48, 192]), runs: 2);

        // 53 Convs, depthwise ones included; BatchNormalization folded into them, Relu absorbed.
        Assert.Equal(53, profile.Int8Nodes("QLinearConv"));
        Assert.Equal(0, profile.Nodes("Conv") + profile.Nodes("FusedConv") + profile.Nodes("BatchNormalization"));
    }

    /// <summary>A text-line-like input: six MNIST digits side by side, dark on light, normalized to [−1, 1].</summary>
    private static float[] OcrLine(float[][] images)
    {
        var plane = new float[48 * 192];
        for (var y = 0; y < 48; y++)
        {
            for (var x = 0; x < 192; x++)
            {
                var img = images[Math.Min(x / 32, 5)];
                plane[(y * 192) + x] = 1 - (2 * img[(Math.Min(y * 28 / 48, 27) * 28) + Math.Min(x % 32 * 28 / 32, 27)] / 255f);
            }
        }

        return [.. plane, .. plane, .. plane];
    }

    [Fact]
    public void Static_int8_runs_every_conv_maxpool_and_matmul_on_int8_in_onnx_runtime_and_keeps_the_predictions()
    {
        using var p = new TestProject();
        p.WriteRecipe($$"""
            version: 1
            allow_outside: true
            models:
              - name: mnist
                source: {{Fixtures.Require("models/mnist-8.onnx")}}
                calibration: { data: {{Fixtures.Require("data/mnist/t10k-images-idx3-ubyte.gz")}}, samples: 32 }
                steps:
                  - quantize: { mode: static }
                verify:
                  data: {{Fixtures.Require("data/mnist/t10k-images-idx3-ubyte.gz")}}
                  samples: 50
                  thresholds:
                    - { metric: top1_agreement, min: 0.98 }
            """);
        var sink = new ListDiagnosticSink();

        var result = ModelCompressEngine.Compress(p.LoadRecipe(), new CompressOptions(p.PathOf("out")), sink, CancellationToken.None);

        Assert.True(result.Succeeded, string.Join("\n", sink.Items));

        // The per-layer analysis compares each folded Conv with the fp32 value it now computes (after the bias Add).
        var layers = result.Report.Models[0].Verification!.Layers!;
        Assert.Equal(3, layers.Count(l => l.SnrDb is not null));
        Assert.All(layers, l => Assert.InRange(l.SnrDb!.Value, 30, 70));
        var path = p.PathOf("out/mnist.onnx");
        var graph = OnnxModel.Load(path).Graph;
        Assert.DoesNotContain(graph.Nodes, n => n.OpType is "Relu");
        Assert.Equal(2, graph.Nodes.Count(n => n.OpType == "Conv" && n.Inputs.Count == 3));

        var (images, _) = Mnist.TestSet(200);
        var profile = OrtKernelProfile.Measure(path, "Input3", () => OrtValue.CreateTensorValueFromMemory(images[0], [1, 1, 28, 28]), runs: 3);
        Assert.Equal(2, profile.Int8Nodes("QLinearConv"));
        Assert.Equal(0, profile.Nodes("Conv") + profile.Nodes("FusedConv"));
        Assert.Equal(2, profile.Int8Nodes("MaxPool") + profile.Int8Nodes("NhwcMaxPool"));
        Assert.Equal(1, profile.Int8Nodes("MatMulIntegerToFloat"));

        using var fp32 = new InferenceSession(Fixtures.Require("models/mnist-8.onnx"));
        using var int8 = new InferenceSession(path);
        var same = images.Count(img => ArgMax(fp32, img) == ArgMax(int8, img));
        Assert.InRange(same / 200.0, 0.99, 1.0);
    }

    private static int ArgMax(InferenceSession session, float[] image)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(image, [1, 1, 28, 28]);
        using var outputs = session.Run(new RunOptions(), ["Input3"], [input], session.OutputNames);
        var logits = outputs[0].GetTensorDataAsSpan<float>();
        var best = 0;
        for (var i = 1; i < logits.Length; i++)
        {
            best = logits[i] > logits[best] ? i : best;
        }

        return best;
    }
}
