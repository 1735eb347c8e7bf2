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
            """);
        var sink = new ListDiagnosticSink();

        var result = ModelCompressEngine.Compress(p.LoadRecipe(), new CompressOptions(p.PathOf("out")), sink, CancellationToken.None);

        Assert.True(result.Succeeded, string.Join("\n", sink.Items));
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
