using Microsoft.ML.OnnxRuntime;
using ModelCompress.Data;
using ModelCompress.Engine;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Testing;
using ModelCompress.Tests.Engine;

namespace ModelCompress.Tests.Quantization;

/// <summary>
/// Conv output quantization on a small generated net: x → Conv(+bias) → BatchNormalization → Mul [1,C,1,1] → Relu →
/// MaxPool → Conv (1×1) → Add [C,1,1] → y (a graph output). With uint8 activations the BatchNormalization, Mul, Relu
/// and Add leave the graph (folded, absorbed) and both Convs run as QLinearConv; with int8 (symmetric, zero point 0)
/// activations the Relu stays, since QuantizeLinear's saturation is then not a Relu. Both stay close to fp32.
/// </summary>
public sealed class ConvOutputQdqTests
{
    private static readonly long[] Shape = [1, 4, 8, 8];

    [Theory]
    [InlineData("uint8", false)]
    [InlineData("int8", true)]
    public void Folded_conv_outputs_are_quantized_and_keep_the_fp32_result(string activations, bool reluStays)
    {
        using var p = new TestProject();
        var source = p.PathOf("net.onnx");
        Net().Save(source);
        var inputs = Enumerable.Range(0, 16).Select(i => new DeterministicRandom((ulong)(100 + i)).Uniform(4 * 8 * 8, 2f)).ToList();
        NpyWriter.WriteFile(p.PathOf("calib.npy"), NdArray.FromFloats([.. inputs.SelectMany(x => x)], 16, 4, 8, 8));
        p.WriteRecipe($$"""
            version: 1
            models:
              - name: net
                source: net.onnx
                calibration: { data: calib.npy, samples: 16 }
                steps:
                  - quantize: { mode: static, activations: {{activations}} }
            """);
        var sink = new ListDiagnosticSink();

        var result = ModelCompressEngine.Compress(p.LoadRecipe(), new CompressOptions(p.PathOf("out")), sink, CancellationToken.None);

        Assert.True(result.Succeeded, string.Join("\n", sink.Items));
        var path = p.PathOf("out/net.onnx");
        var graph = OnnxModel.Load(path).Graph;
        Assert.DoesNotContain(graph.Nodes, n => n.OpType is "BatchNormalization" or "Mul" or "Add");
        Assert.Equal(reluStays, graph.Nodes.Any(n => n.OpType == "Relu"));
        Assert.All(graph.Nodes.Where(n => n.OpType == "Conv"), n => Assert.Equal(3, n.Inputs.Count));
        Assert.Equal("DequantizeLinear", graph.GetProducer("y")?.OpType);
        if (!reluStays)
        {
            var profile = OrtKernelProfile.Measure(path, "x", () => OrtValue.CreateTensorValueFromMemory(inputs[0], Shape), runs: 2);
            Assert.Equal(2, profile.Int8Nodes("QLinearConv"));
        }

        using var fp32 = new InferenceSession(source);
        using var int8 = new InferenceSession(path);
        foreach (var x in inputs.Take(4))
        {
            var a = Run(fp32, x);
            var b = Run(int8, x);
            Assert.InRange(Cosine(a, b), 0.995, 1.0);
        }
    }

    /// <summary>The generated net (seeded weights; BatchNormalization with non-trivial statistics).</summary>
    private static OnnxModel Net()
    {
        var rng = new DeterministicRandom(7);
        var b = new OnnxModelBuilder("convnet").Opset(13);
        var g = b.Graph;
        g.Input("x", TensorDataType.Float, 1, 4, 8, 8);
        var w1 = g.Initializer("w1", [6, 4, 3, 3], rng.Uniform(6 * 4 * 9, 0.3f));
        var b1 = g.Initializer("b1", [6], rng.Uniform(6, 0.1f));
        var c1 = g.Op("Conv", [("x"), w1, b1], n => n.SetAttribute("pads", [1L, 1, 1, 1]), "conv1");
        var bn = g.Op("BatchNormalization",
            [c1, g.Initializer("gamma", [6], [.. Enumerable.Range(0, 6).Select(i => 0.5f + (0.2f * i))]), g.Initializer("beta", [6], rng.Uniform(6, 0.3f)),
             g.Initializer("mean", [6], rng.Uniform(6, 0.2f)), g.Initializer("var", [6], [.. Enumerable.Range(0, 6).Select(i => 0.5f + (0.3f * i))])],
            n => n.SetAttribute("epsilon", 1e-5f), "bn1");
        var scaled = g.Op("Mul", [bn, g.Initializer("scale", [1, 6, 1, 1], [.. Enumerable.Range(0, 6).Select(i => 0.8f + (0.1f * i))])], null, "mul1");
        var relu = g.Op("Relu", [scaled], null, "relu1");
        var pool = g.Op("MaxPool", [relu], n => n.SetAttribute("kernel_shape", [2L, 2]).SetAttribute("strides", [2L, 2]), "pool1");
        var c2 = g.Op("Conv", [pool, g.Initializer("w2", [5, 6, 1, 1], rng.Uniform(30, 0.4f))], null, "conv2");
        g.Node("Add", [c2, g.Initializer("shift", [5, 1, 1], rng.Uniform(5, 0.2f))], ["y"], "add2");
        g.Output("y", TensorDataType.Float, 1, 5, 4, 4);
        return b.Build();
    }

    private static float[] Run(InferenceSession session, float[] x)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(x, Shape);
        using var outputs = session.Run(new RunOptions(), ["x"], [input], session.OutputNames);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }

        return dot / Math.Sqrt(na * nb);
    }
}
