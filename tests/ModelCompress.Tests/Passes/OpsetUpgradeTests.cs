using ModelCompress.Analysis;
using ModelCompress.Data;
using ModelCompress.Engine;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Passes;
using ModelCompress.Testing;
using ModelCompress.Tests.Engine;
using Xunit.Abstractions;

namespace ModelCompress.Tests.Passes;

/// <summary>
/// Raising the opset to 13 keeps what a model computes: the converted model validates, ONNX Runtime loads it at
/// opset 13, and its outputs equal the original's bit for bit (same bytes from ONNX Runtime).
/// </summary>
public sealed class OpsetUpgradeTests(ITestOutputHelper log)
{
    [Fact]
    public void Ppocr_recognizer_upgrades_to_opset_13_and_gives_identical_outputs_on_digit_lines()
    {
        var path = Fixtures.Require("models/ppocrv4/ch_PP-OCRv4_rec_infer.onnx");
        var upgraded = Upgrade(path);

        // Every Clip, Slice and Squeeze carries its bounds/axes as inputs now.
        Assert.All(upgraded.Graph.Nodes.Where(n => n.OpType is "Clip"), n => Assert.Equal(3, n.Inputs.Count));
        Assert.All(upgraded.Graph.Nodes.Where(n => n.OpType is "Slice" or "Squeeze"), n => Assert.Empty(n.Attributes));
        // The ranks of the attention and output Softmax inputs are inferred, so their last-axis meaning needs no rewrite.
        Assert.DoesNotContain(upgraded.Graph.Nodes, n => n.OpType == "Flatten");
        var (images, _) = Mnist.TestSet(12);
        AssertSameOutputs(path, upgraded, [DigitLine(images, 0, 320), DigitLine(images, 6, 320)], [1, 3, 48, 320]);
    }

    [Fact]
    public void Ppocr_classifier_upgrades_to_opset_13_and_gives_identical_outputs_on_digit_lines()
    {
        var path = Fixtures.Require("models/ppocrv4/ch_ppocr_mobile_v2.0_cls_infer.onnx");
        var upgraded = Upgrade(path);

        var (images, _) = Mnist.TestSet(8);
        AssertSameOutputs(path, upgraded, [DigitLine(images, 0, 192), DigitLine(images, 2, 192)], [1, 3, 48, 192]);
    }

    [Fact]
    public void Mnist8_upgrades_from_opset_8_and_gives_identical_outputs_on_test_images()
    {
        var path = Fixtures.Require("models/mnist-8.onnx");
        var upgraded = Upgrade(path);

        var (images, _) = Mnist.TestSet(4);
        AssertSameOutputs(path, upgraded, images, [1, 1, 28, 28]);
    }

    [Fact]
    public void An_operator_that_is_not_converted_still_blocks_and_is_named()
    {
        var b = new OnnxModelBuilder("old").Opset(9);
        b.Graph.Input("x", TensorDataType.Float, 1, 4);
        var h = b.Graph.Op("Relu", "x");
        b.Graph.Op("Pad", [h], n => n.SetAttribute("pads", new long[] { 0, 1, 0, 1 }), "pad");
        var model = b.Build();

        Assert.False(OpsetUpgrade.CanRaiseTo13(model, out var blocker));
        Assert.Equal("Pad", blocker);
    }

    [Fact]
    public void Clip_whose_input_type_cannot_be_inferred_is_refused()
    {
        var b = new OnnxModelBuilder("old").Opset(9);
        // A declared input without an element type: Clip's min/max scalars would have no type to take.
        b.Graph.Input("x", TensorDataType.Undefined, 1, 4);
        b.Graph.Node("Clip", ["x"], ["y"], "clip").SetAttribute("max", 6f);
        b.Graph.Output("y", TensorDataType.Float, 1, 4);

        Assert.False(OpsetUpgrade.CanRaiseTo13(b.Build(), out var blocker));
        Assert.Equal("Clip", blocker);
    }

    [Fact]
    public void Ppocr_recognizer_static_int8_through_the_engine_raises_the_opset_and_agrees_with_fp32()
    {
        using var p = new TestProject();
        var model = Fixtures.Require("models/ppocrv4/ch_PP-OCRv4_rec_infer.onnx");
        var (images, _) = Mnist.TestSet(6 * Lines);
        var data = new float[Lines * 3 * 48 * 320];
        for (var i = 0; i < Lines; i++)
        {
            DigitLine(images, 6 * i, 320).CopyTo(data, i * 3 * 48 * 320);
        }

        NpyWriter.WriteFile(p.PathOf("lines.npy"), new NdArray(NdElementType.Float32, [Lines, 3, 48, 320], data));
        p.WriteRecipe($$"""
            version: 1
            allow_outside: true
            models:
              - name: rec
                source: {{model}}
                calibration: { data: lines.npy, samples: {{Lines}} }
                steps:
                  - quantize: { mode: static, weights: int8, activations: uint8, per_channel: true, method: minmax }
            """);
        var sink = new ListDiagnosticSink();

        var result = ModelCompressEngine.Compress(p.LoadRecipe(), new CompressOptions(p.PathOf("out")), sink, CancellationToken.None);

        Assert.True(result.Succeeded, string.Join("\n", sink.Items));
        var step = result.Report.Models.Single().Steps.Single();
        Assert.Equal("static_int8_qdq", step.Pass);
        Assert.NotEmpty(step.Layers);
        var output = OnnxModel.Load(p.PathOf("out/rec.onnx"));
        AssertValidAt13(output);
        Assert.Contains(output.Graph.Nodes, n => n.OpType == "QuantizeLinear");

        // Greedy CTC decoding reads the arg-max class of every time step: the int8 model picks the same one at most.
        var fp32 = OnnxModel.Load(model).ToBytes();
        var int8 = output.ToBytes();
        int same = 0, steps = 0;
        for (var i = 0; i < Lines; i++)
        {
            var line = OrtInput.Float("x", data[(i * 3 * 48 * 320)..((i + 1) * 3 * 48 * 320)], 1, 3, 48, 320);
            var e = OrtRun.Run(fp32, line)[0];
            var a = OrtRun.Run(int8, line)[0];
            Assert.Equal(e.Shape, a.Shape);
            var classes = (int)e.Shape[^1];
            var (ef, af) = (e.Floats, a.Floats);
            for (var t = 0; t < ef.Length / classes; t++)
            {
                steps++;
                same += ArgMax(ef.AsSpan(t * classes, classes)) == ArgMax(af.AsSpan(t * classes, classes)) ? 1 : 0;
            }
        }

        log.WriteLine($"time-step arg-max agreement {same}/{steps}");
        Assert.True(same >= 0.9 * steps, $"time-step arg-max agreement {same}/{steps}");
    }

    private const int Lines = 4;

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            best = values[i] > values[best] ? i : best;
        }

        return best;
    }

    internal static OnnxModel Upgrade(string path)
    {
        var model = OnnxModel.Load(path);
        Assert.True(OpsetUpgrade.CanRaiseTo13(model, out var blocker), $"blocked by {blocker}");
        OpsetUpgrade.RaiseTo13(model);
        AssertValidAt13(model);
        return model;
    }

    internal static void AssertValidAt13(OnnxModel model)
    {
        Assert.Equal(13, model.GetOpsetVersion(string.Empty));
        Assert.True(model.IrVersion >= 7);
        var errors = model.Validate().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    private void AssertSameOutputs(string originalPath, OnnxModel upgraded, IEnumerable<float[]> inputs, long[] shape)
    {
        var original = OnnxModel.Load(originalPath);
        var name = original.Graph.Inputs.Single(i => !original.Graph.Initializers.ContainsKey(i.Name)).Name;
        var before = original.ToBytes();
        var after = upgraded.ToBytes();
        foreach (var input in inputs)
        {
            var deviation = AssertSameOutputs(before, after, OrtInput.Float(name, input, shape));
            log.WriteLine($"{Path.GetFileName(originalPath)}: bit-identical unoptimized; optimized largest difference {deviation:G3} of the output scale");
        }
    }

    /// <summary>
    /// Without graph optimisations ONNX Runtime runs the nodes as written, so the two models must give the same bytes.
    /// With the default optimisations it fuses differently per opset (e.g. MNIST's MatMul+Add become one Gemm only at
    /// some opsets), which moves the last bits: there the outputs must agree within 1e-6 of the output's largest
    /// magnitude.
    /// </summary>
    internal static float AssertSameOutputs(byte[] before, byte[] after, OrtInput input)
    {
        var exact = RunUnoptimized(before, input);
        var converted = RunUnoptimized(after, input);
        Assert.Equal(exact.Count, converted.Count);
        for (var i = 0; i < exact.Count; i++)
        {
            Assert.Equal(exact[i].Shape, converted[i].Shape);
            Assert.Equal(exact[i].RawBytes, converted[i].RawBytes);
        }

        var expected = OrtRun.Run(before, input);
        var actual = OrtRun.Run(after, input);
        var worst = 0f;
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Shape, actual[i].Shape);
            var e = expected[i].Floats;
            var a = actual[i].Floats;
            var scale = e.Where(float.IsFinite).Select(MathF.Abs).DefaultIfEmpty(0f).Max();
            for (var j = 0; j < e.Length; j++)
            {
                Assert.True(
                    e[j].Equals(a[j]) || MathF.Abs(e[j] - a[j]) <= 1e-6f * scale,
                    $"output {i} element {j}: {e[j]} vs {a[j]}");
                worst = e[j].Equals(a[j]) ? worst : Math.Max(worst, MathF.Abs(e[j] - a[j]) / scale);
            }
        }

        return worst;
    }

    private static IReadOnlyList<OrtOutput> RunUnoptimized(byte[] model, OrtInput input)
    {
        using var options = OrtRun.DeterministicOptions();
        options.GraphOptimizationLevel = Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_DISABLE_ALL;
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(model, options);
        return OrtRun.Run(session, input);
    }

    /// <summary>
    /// A text line as PaddleOCR feeds its recognizer: MNIST digits (28×28, dark ink on light paper) side by side from
    /// column 0, vertically centred in 48 rows, normalized to (v/255 − 0.5)/0.5; the rest is 0 (mid-grey padding).
    /// </summary>
    internal static float[] DigitLine(float[][] images, int first, int width)
    {
        const int height = 48;
        const int top = (height - Mnist.Side) / 2;
        var plane = new float[height * width];
        for (var d = 0; (d + 1) * Mnist.Side <= width && first + d < images.Length; d++)
        {
            for (var y = 0; y < Mnist.Side; y++)
            {
                for (var x = 0; x < Mnist.Side; x++)
                {
                    var paper = 255f - images[first + d][(y * Mnist.Side) + x];
                    plane[((top + y) * width) + (d * Mnist.Side) + x] = ((paper / 255f) - 0.5f) / 0.5f;
                }
            }
        }

        var result = new float[3 * plane.Length];
        for (var c = 0; c < 3; c++)
        {
            plane.CopyTo(result, c * plane.Length);
        }

        return result;
    }
}
