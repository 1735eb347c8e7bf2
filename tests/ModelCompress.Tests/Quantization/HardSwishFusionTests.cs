using ModelCompress.Onnx;
using ModelCompress.Quantization;
using ModelCompress.Testing;

namespace ModelCompress.Tests.Quantization;

/// <summary>
/// <see cref="HardSwishFusion"/>: x · Clip(x + 3, 0, 6) / 6 written as Add → Clip → Mul → Div becomes x · HardSigmoid(x)
/// (α = 1/6, β = 1/2), run by ONNX Runtime to the same values up to float rounding; chains whose intermediate values
/// have other readers are left alone.
/// </summary>
public sealed class HardSwishFusionTests
{
    private const int Count = 4096;

    [Theory]
    [InlineData(13, false)]
    [InlineData(9, true)]
    public void The_decomposed_hard_swish_runs_as_hardsigmoid_times_x_with_the_same_values(long opset, bool clipAttributes)
    {
        var before = Model(opset, clipAttributes, extraReader: false);
        var model = OnnxModel.FromBytes(before);

        Assert.Equal(1, HardSwishFusion.Apply(model.Graph));

        Assert.Equal(["HardSigmoid", "Mul", "Relu"], model.Graph.Nodes.Select(n => n.OpType).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(model.Graph.Nodes, n => n.OpType is "Constant");
        Assert.Empty(model.Graph.Initializers);
        var x = Enumerable.Range(0, Count).Select(i => (i - (Count / 2)) / 256f).ToArray();
        var expected = OrtRun.Run(before, OrtInput.Float("x", x, Count))[0].Floats;
        var actual = OrtRun.Run(model.ToBytes(), OrtInput.Float("x", x, Count))[0].Floats;
        var maxDiff = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();

        // Inputs −8 … 8 cover both saturated ends and the curve; the forms differ by float rounding only.
        Assert.InRange(maxDiff, 0f, 2e-6f);
        var formula = x.Select(v => MathF.Max(0, v * Math.Clamp(v + 3, 0, 6) / 6)).ToArray();
        Assert.InRange(formula.Zip(actual, (e, a) => Math.Abs(e - a)).Max(), 0f, 2e-6f);
    }

    [Fact]
    public void A_chain_whose_clip_output_is_read_elsewhere_is_left_alone()
    {
        var model = OnnxModel.FromBytes(Model(13, clipAttributes: false, extraReader: true));

        Assert.Equal(0, HardSwishFusion.Apply(model.Graph));
        Assert.Contains(model.Graph.Nodes, n => n.OpType == "Div");
    }

    /// <summary>x → hard-swish as Add/Clip/Mul/Div (6 from a Constant node) → Relu → y; optionally a second output reading the Clip.</summary>
    private static byte[] Model(long opset, bool clipAttributes, bool extraReader)
    {
        var b = new OnnxModelBuilder("hswish").Opset(opset);
        var g = b.Graph;
        g.Input("x", TensorDataType.Float, Count);
        var three = g.Initializer("three", [], [3f]);
        var six = g.Op("Constant", [], n => n.SetAttribute("value", OnnxTensor.FromFloats("six_value", [], [6f])));
        g.Node("Add", ["x", three], ["shifted"], "hs_add");
        if (clipAttributes)
        {
            g.Node("Clip", ["shifted"], ["clipped"], "hs_clip").SetAttribute("min", 0f).SetAttribute("max", 6f);
        }
        else
        {
            g.Node("Clip", ["shifted", g.Initializer("zero", [], [0f]), g.Initializer("six", [], [6f])], ["clipped"], "hs_clip");
        }

        g.Node("Mul", ["x", "clipped"], ["gated"], "hs_mul");
        g.Node("Div", ["gated", six], ["hswish"], "hs_div");
        g.Node("Relu", ["hswish"], ["y"], "relu");
        g.Output("y", TensorDataType.Float, Count);
        if (extraReader)
        {
            g.Output("clipped", TensorDataType.Float, Count);
        }

        return b.Build().ToBytes();
    }
}
