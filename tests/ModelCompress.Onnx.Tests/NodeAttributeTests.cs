using ModelCompress.Onnx.Diagnostics;

namespace ModelCompress.Onnx.Tests;

public class NodeAttributeTests
{
    [Fact]
    public void Typed_getters_return_values_or_defaults()
    {
        var conv = SampleModels.ConvNet().Graph.Nodes.First(n => n.OpType == "Conv");
        Assert.Equal([3L, 3L], conv.GetInts("kernel_shape"));
        Assert.Equal([1L, 1L, 1L, 1L], conv.GetInts("pads"));
        Assert.Equal(1, conv.GetInt("group", 1));
        Assert.Equal([1L, 1L], conv.GetInts("dilations", [1, 1]));
        Assert.Empty(conv.GetInts("nothing"));
        Assert.Null(conv.GetString("auto_pad"));
        Assert.Equal("NOTSET", conv.GetString("auto_pad", "NOTSET"));
        Assert.Equal(0.5f, conv.GetFloat("alpha", 0.5f));
        Assert.Null(conv.GetTensor("value"));
        Assert.Null(conv.GetGraph("body"));
    }

    [Fact]
    public void Asking_for_the_wrong_type_is_MC1014()
    {
        var conv = SampleModels.ConvNet().Graph.Nodes.First(n => n.OpType == "Conv");
        var e = Assert.Throws<ModelCompressException>(() => conv.GetInt("kernel_shape"));
        Assert.Equal("MC1014", e.Code);
        Assert.Contains("Ints", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Set_replaces_in_place_and_remove_deletes()
    {
        var n = new OnnxNode("Gemm", ["a", "b"], ["c"]);
        n.SetAttribute("alpha", 2f).SetAttribute("transB", 1).SetAttribute("beta", 1f);
        n.SetAttribute("transB", 0);
        Assert.Equal(["alpha", "transB", "beta"], n.Attributes.Select(a => a.Name));
        Assert.Equal(0, n.GetInt("transB"));
        Assert.True(n.RemoveAttribute("alpha"));
        Assert.False(n.RemoveAttribute("alpha"));
        Assert.False(n.HasAttribute("alpha"));
        n.SetAttribute("names", ["x", "y"]).SetAttribute("weights", [0.5f, 1.5f]).SetAttribute("mode", "linear");
        Assert.Equal(["x", "y"], n.GetStrings("names"));
        Assert.Equal([0.5f, 1.5f], n.GetFloats("weights"));
        Assert.Equal("linear", n.GetString("mode"));
    }

    [Fact]
    public void Every_attribute_kind_survives_serialization()
    {
        var body = new OnnxGraphBuilder("body");
        body.Input("i", TensorDataType.Float, 1);
        body.Node("Identity", ["i"], ["o"]);
        body.Output("o", TensorDataType.Float, 1);
        var n = new OnnxNode("Custom", ["a"], ["b"], "custom", "test.domain")
            .SetAttribute("i", 0L)
            .SetAttribute("f", 0f)
            .SetAttribute("s", "")
            .SetAttribute("ints", [1L, -2L])
            .SetAttribute("floats", [float.NaN, -0f])
            .SetAttribute("strings", ["α", "β"])
            .SetAttribute("t", OnnxTensor.FromInt8("t", [2], [-1, 1]))
            .SetAttribute("g", body.Build())
            .SetAttribute(OnnxAttribute.Create("ts", [OnnxTensor.FromFloats("t1", [1], [1f])]));
        var b = new OnnxModelBuilder().Opset("test.domain", 1);
        b.Graph.Input("a", TensorDataType.Float, 1);
        b.Graph.Graph.AddNode(n);
        b.Graph.Output("b", TensorDataType.Float, 1);
        var model = b.Build();
        var back = OnnxModel.FromBytes(model.ToBytes());
        Testing.ModelAssert.Equivalent(model, back);
        var m = back.Graph.Nodes[0];
        Assert.Equal(0, m.GetInt("i"));
        Assert.True(m.HasAttribute("f"));
        Assert.Equal(string.Empty, m.GetString("s"));
        Assert.Equal(["α", "β"], m.GetStrings("strings"));
        Assert.Equal([-1f, 1f], m.GetTensor("t")!.ToFloatArray());
        Assert.Equal("body", m.GetGraph("g")!.Name);
        Assert.Same(m, m.GetGraph("g")!.ParentNode);
        Assert.Equal(OnnxAttributeType.Tensors, m.GetAttribute("ts")!.Type);
        Assert.True(float.IsNaN(m.GetFloats("floats")[0]));
        Assert.True(float.IsNegative(m.GetFloats("floats")[1]));
    }

    [Fact]
    public void A_graph_can_be_the_subgraph_of_one_node_only()
    {
        var g = new OnnxGraph("body");
        var a = new OnnxNode("Loop", [], []).SetAttribute("body", g);
        var b = new OnnxNode("Loop", [], []);
        Assert.Same(a, g.ParentNode);
        Assert.Throws<InvalidOperationException>(() => b.SetAttribute("body", g));
        a.RemoveAttribute("body");
        Assert.Null(g.ParentNode);
        b.SetAttribute("body", g);
        Assert.Same(b, g.ParentNode);
    }
}
