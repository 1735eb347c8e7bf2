using ModelCompress.Analysis;
using ModelCompress.Onnx;
using ModelCompress.Passes;
using ModelCompress.Testing;

namespace ModelCompress.Tests.Passes;

/// <summary>
/// One tiny generated graph per rewrite: the opset-9 (or 10) original and the upgraded opset-13 model run in ONNX
/// Runtime on the same input and must give the same bytes.
/// </summary>
public sealed class OpsetUpgradeRewriteTests
{
    private static readonly long[] Shape = [2, 3, 4, 5];

    public static TheoryData<string, float?, float?> ClipCases => new()
    {
        { "both", 0f, 6f },
        { "min only", -0.5f, null },
        { "max only", null, 0.25f },
        { "neither", null, null },
    };

    [Theory]
    [MemberData(nameof(ClipCases))]
    public void Clip_bounds_become_inputs(string label, float? min, float? max)
    {
        Assert.NotNull(label);
        var model = Single(9, "Clip", n =>
        {
            if (min is { } lo)
            {
                n.SetAttribute("min", lo);
            }

            if (max is { } hi)
            {
                n.SetAttribute("max", hi);
            }
        }, Shape);

        var upgraded = AssertSameOutputs(model);

        var clip = upgraded.Graph.Nodes.Single(n => n.OpType == "Clip");
        Assert.Empty(clip.Attributes);
        Assert.Equal(3, clip.Inputs.Count);
        Assert.Equal(min ?? float.MinValue, upgraded.Graph.Initializers[clip.Inputs[1]].ToFloatArray().Single());
        Assert.Equal(max ?? float.MaxValue, upgraded.Graph.Initializers[clip.Inputs[2]].ToFloatArray().Single());
    }

    [Theory]
    [InlineData(new long[] { 0, 1 }, new long[] { 1, 3 }, new long[] { 1, 3 })]
    [InlineData(new long[] { -2 }, new long[] { long.MaxValue }, new long[] { -1 })]
    [InlineData(new long[] { 1, 0, 1, 2 }, new long[] { 2, 2, 3, 4 }, null)]
    [InlineData(new long[] { 0, -3 }, new long[] { -1, 100 }, null)]
    public void Slice_attributes_become_inputs(long[] starts, long[] ends, long[]? axes)
    {
        var model = Single(9, "Slice", n =>
        {
            n.SetAttribute("starts", starts);
            n.SetAttribute("ends", ends);
            if (axes is not null)
            {
                n.SetAttribute("axes", axes);
            }
        }, Shape, declareOutput: false);

        var upgraded = AssertSameOutputs(model);

        var slice = upgraded.Graph.Nodes.Single(n => n.OpType == "Slice");
        Assert.Empty(slice.Attributes);
        Assert.Equal(axes is null ? 3 : 4, slice.Inputs.Count);
        Assert.Equal(ends, upgraded.Graph.Initializers[slice.Inputs[2]].ToInt64Array());
    }

    [Fact]
    public void Slice_with_steps_at_opset_10_is_kept_as_it_is()
    {
        var b = new OnnxModelBuilder("slice10").Opset(10);
        b.Graph.Input("x", TensorDataType.Float, [.. Shape.Select(d => (OnnxDimension)d)]);
        var starts = b.Graph.InitializerInt64("starts", [2], [3, 0]);
        var ends = b.Graph.InitializerInt64("ends", [2], [-100, 5]);
        var axes = b.Graph.InitializerInt64("axes", [2], [2, 3]);
        var steps = b.Graph.InitializerInt64("steps", [2], [-1, 2]);
        b.Graph.Node("Slice", ["x", starts, ends, axes, steps], ["y"], "slice");
        b.Graph.Output("y");

        var upgraded = AssertSameOutputs(b.Build());

        Assert.Equal(["x", "starts", "ends", "axes", "steps"], upgraded.Graph.Nodes.Single().Inputs);
    }

    [Theory]
    [InlineData("Squeeze", null)]
    [InlineData("Squeeze", new long[] { 1, -1 })]
    [InlineData("Unsqueeze", new long[] { 0, 4 })]
    public void Squeeze_and_Unsqueeze_axes_become_an_input(string op, long[]? axes)
    {
        var model = Single(9, op, n =>
        {
            if (axes is not null)
            {
                n.SetAttribute("axes", axes);
            }
        }, [2, 1, 4, 1], declareOutput: false);

        var upgraded = AssertSameOutputs(model);

        var node = upgraded.Graph.Nodes.Single();
        Assert.Empty(node.Attributes);
        Assert.Equal(axes is null ? 1 : 2, node.Inputs.Count);
    }

    [Theory]
    [InlineData(new long[] { 1, 3 }, 1L)]
    [InlineData(new long[] { -1 }, 0L)]
    public void ReduceSum_axes_become_an_input(long[] axes, long keepdims)
    {
        var model = Single(11, "ReduceSum", n =>
        {
            n.SetAttribute("axes", axes);
            n.SetAttribute("keepdims", keepdims);
        }, Shape, declareOutput: false);

        var upgraded = AssertSameOutputs(model);

        Assert.Equal(2, upgraded.Graph.Nodes.Single().Inputs.Count);
    }

    [Theory]
    [InlineData("Softmax", 3L, false)]
    [InlineData("Softmax", -1L, false)]
    [InlineData("Softmax", 1L, true)]
    [InlineData("Softmax", null, true)]
    [InlineData("Softmax", 0L, true)]
    [InlineData("Softmax", -3L, true)]
    [InlineData("LogSoftmax", 2L, true)]
    [InlineData("LogSoftmax", 3L, false)]
    [InlineData("Hardmax", 1L, true)]
    public void Softmax_family_keeps_the_coerced_2d_meaning(string op, long? axis, bool wrapped)
    {
        var model = Single(9, op, n =>
        {
            if (axis is { } a)
            {
                n.SetAttribute("axis", a);
            }
        }, Shape);

        var upgraded = AssertSameOutputs(model);

        Assert.Equal(wrapped, upgraded.Graph.Nodes.Any(n => n.OpType == "Flatten"));
        Assert.Equal(wrapped ? 4 : 1, upgraded.Graph.Nodes.Count);
    }

    [Fact]
    public void Softmax_on_an_intermediate_of_inferred_rank_is_not_wrapped()
    {
        // Transpose(Relu(x)) declares nothing; the rank (4) is inferred, so axis 3 is the last axis.
        var b = new OnnxModelBuilder("softmax").Opset(9);
        b.Graph.Input("x", TensorDataType.Float, [.. Shape.Select(d => (OnnxDimension)d)]);
        var r = b.Graph.Op("Relu", "x");
        var t = b.Graph.Op("Transpose", [r], n => n.SetAttribute("perm", new long[] { 0, 2, 1, 3 }));
        b.Graph.Node("Softmax", [t], ["y"], "softmax").SetAttribute("axis", 3L);
        b.Graph.Output("y");

        var upgraded = AssertSameOutputs(b.Build());

        Assert.DoesNotContain(upgraded.Graph.Nodes, n => n.OpType == "Flatten");
    }

    private static OnnxModel Single(long opset, string op, Action<OnnxNode> configure, long[] shape, bool declareOutput = true)
    {
        var b = new OnnxModelBuilder(op).Opset(opset);
        var dims = shape.Select(d => (OnnxDimension)d).ToArray();
        b.Graph.Input("x", TensorDataType.Float, dims);
        configure(b.Graph.Node(op, ["x"], ["y"], op.ToLowerInvariant()));
        if (declareOutput)
        {
            b.Graph.Output("y", TensorDataType.Float, dims);
        }
        else
        {
            b.Graph.Output("y");
        }

        return b.Build();
    }

    private static OnnxModel AssertSameOutputs(OnnxModel original)
    {
        var before = original.ToBytes();
        var upgraded = original.Clone();
        Assert.True(OpsetUpgrade.CanRaiseTo13(upgraded, out var blocker), $"blocked by {blocker}");
        OpsetUpgrade.RaiseTo13(upgraded);
        OpsetUpgradeTests.AssertValidAt13(upgraded);

        var input = original.Graph.Inputs.Single();
        var shape = input.ConcreteDims!;
        var random = new DeterministicRandom(7);
        var data = random.Uniform((int)shape.Aggregate(1L, (a, d) => a * d), 8f);
        // Values outside float range and at the edges, to show the explicit Clip-6 defaults change nothing.
        data[0] = float.NegativeInfinity;
        data[1] = float.PositiveInfinity;
        data[2] = float.MaxValue;
        _ = OpsetUpgradeTests.AssertSameOutputs(before, upgraded.ToBytes(), OrtInput.Float(input.Name, data, shape));
        return upgraded;
    }
}
