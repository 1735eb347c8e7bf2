using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Testing;

namespace ModelCompress.Onnx.Tests;

public class GraphEditTests
{
    [Fact]
    public void Inserting_a_node_on_an_edge_reroutes_every_consumer()
    {
        var original = SampleModels.Mlp();
        var model = original.Clone();
        var g = model.Graph;
        var relu = g.FindNode("/fc1/Relu")!.Outputs[0];
        var copy = g.UniqueName(relu + "_copy");
        g.InsertNodeOnEdge(relu, new OnnxNode("Identity", [relu], [copy], "tap"));

        Assert.Equal(["tap"], g.GetConsumers(relu).Select(n => n.Name));
        Assert.Equal("/fc2/MatMul", g.GetConsumers(copy).Single().Name);
        Assert.True(g.Nodes.ToList().IndexOf(g.FindNode("tap")!) < g.Nodes.ToList().IndexOf(g.FindNode("/fc2/MatMul")!));
        Assert.Empty(model.Validate());
        TestGraphs.AssertSameOutputs(original, model, TestGraphs.MlpInput());
    }

    [Fact]
    public void A_chain_inserted_on_a_graph_input_goes_first_and_may_read_weights()
    {
        var original = SampleModels.Mlp();
        var model = original.Clone();
        var g = model.Graph;
        g.AddInitializer(OnnxTensor.FromFloats("unit", [], [1f]));
        g.InsertNodeOnEdge("input",
            new OnnxNode("Mul", ["input", "unit"], ["scaled"], "scale"),
            new OnnxNode("Identity", ["scaled"], ["scaled_id"], "pass"));
        Assert.Equal(["scale", "pass"], g.Nodes.Take(2).Select(n => n.Name));
        Assert.Equal(["scale"], g.GetConsumers("input").Select(n => n.Name));
        Assert.Empty(model.Validate());
        TestGraphs.AssertSameOutputs(original, model, TestGraphs.MlpInput());
    }

    [Fact]
    public void Inserting_on_an_edge_into_a_subgraph_rewrites_the_subgraph_reads()
    {
        var original = TestGraphs.IfModel();
        var model = original.Clone();
        var g = model.Graph;
        g.InsertNodeOnEdge("one", new OnnxNode("Identity", ["one"], ["one_tapped"], "tap"));
        var ifNode = g.FindNode("branch")!;
        Assert.All(ifNode.Subgraphs, s => Assert.Contains("one_tapped", s.GetOuterScopeReferences()));
        Assert.Empty(model.Validate());
        TestGraphs.AssertSameOutputs(original, model, TestGraphs.IfInputs(true));
        TestGraphs.AssertSameOutputs(original, model, TestGraphs.IfInputs(false));
    }

    [Fact]
    public void Renaming_a_value_updates_consumers_initializers_outputs_and_keeps_the_model_runnable()
    {
        var original = SampleModels.Mlp();
        var model = original.Clone();
        var g = model.Graph;
        g.RenameValue("/fc1/MatMul_output_0", "hidden");
        g.RenameValue("fc1.weight", "W1");
        Assert.Equal("hidden", g.FindNode("/fc1/MatMul")!.Outputs[0]);
        Assert.Equal("hidden", g.FindNode("/fc1/Add")!.Inputs[0]);
        Assert.Equal("W1", g.Initializers.Keys.First());
        Assert.Equal("W1", g.Initializers["W1"].Name);
        Assert.Empty(model.Validate());
        TestGraphs.AssertSameOutputs(original, model, TestGraphs.MlpInput());

        g.RenameValue("logits", "scores");
        Assert.Equal("scores", g.Outputs[0].Name);
        Assert.Equal("scores", OrtRun.Run(model.ToBytes(), TestGraphs.MlpInput())[0].Name);
    }

    [Fact]
    public void Renaming_reaches_into_subgraphs_but_not_past_a_local_definition()
    {
        var original = TestGraphs.IfModel();
        var model = original.Clone();
        var g = model.Graph;
        var ifNode = g.FindNode("branch")!;
        var elseBranch = ifNode.GetGraph("else_branch")!;
        elseBranch.AddInitializer(OnnxTensor.FromFloats("x", [4], [10, 10, 10, 10])); // shadows the outer x

        g.RenameValue("x", "x_renamed");
        Assert.Equal("x_renamed", g.Inputs[1].Name);
        Assert.Equal("x_renamed", ifNode.GetGraph("then_branch")!.Nodes[0].Inputs[0]);
        Assert.Equal("x", elseBranch.Nodes[0].Inputs[0]);
        Assert.Empty(model.Validate());

        var outputs = OrtRun.Run(model.ToBytes(), [new OrtInput("cond", new[] { false }, []), OrtInput.Float("x_renamed", [1, 2, 3, 4], 4)]);
        Assert.Equal([9f, 9f, 9f, 9f], outputs[0].Floats);
    }

    [Fact]
    public void Renaming_an_unknown_value_is_MC1015_and_to_a_taken_name_MC1016()
    {
        var g = SampleModels.Mlp().Graph;
        Assert.Equal("MC1015", Assert.Throws<ModelCompressException>(() => g.RenameValue("nope", "x")).Code);
        Assert.Equal("MC1016", Assert.Throws<ModelCompressException>(() => g.RenameValue("fc1.weight", "fc2.weight")).Code);
        Assert.Equal("MC1016", Assert.Throws<ModelCompressException>(() => g.AddInitializer(OnnxTensor.FromFloats("fc1.bias", [1], [0f]))).Code);
        Assert.Equal("MC1015", Assert.Throws<ModelCompressException>(() => g.AddOutput("nope")).Code);
    }

    [Fact]
    public void Dead_nodes_and_unused_initializers_are_removed()
    {
        var original = SampleModels.Mlp();
        var model = original.Clone();
        var g = model.Graph;
        g.AddInitializer(OnnxTensor.FromFloats("unused", [2], [1, 2]));
        g.AddInitializer(OnnxTensor.FromFloats("dead_w", [16, 4], new float[64]));
        g.AddNode("MatMul", ["input", "dead_w"], ["dead1"], "dead_mm");
        g.AddNode("Relu", ["dead1"], ["dead2"], "dead_relu");
        g.SetValueInfo(new OnnxValueInfo("dead2", TensorDataType.Float, ["batch", 4]));

        Assert.Equal(2, g.RemoveDeadNodes());
        Assert.Null(g.FindNode("dead_mm"));
        Assert.False(g.Initializers.ContainsKey("unused"));
        Assert.False(g.Initializers.ContainsKey("dead_w"));
        Assert.Empty(g.ValueInfos);
        Assert.Equal(original.ToBytes(), model.ToBytes());
    }

    [Fact]
    public void Dead_node_removal_keeps_what_subgraphs_read()
    {
        var model = TestGraphs.IfModel();
        Assert.Equal(0, model.Graph.RemoveDeadNodes());
        Assert.True(model.Graph.Initializers.ContainsKey("one"));
    }

    [Fact]
    public void Removing_an_initializer_of_an_IR3_model_removes_its_graph_input_twin()
    {
        var model = OnnxModel.Load(Fixtures.Require("models/mnist-8.onnx"));
        var g = model.Graph;
        var name = g.Initializers.Keys.First();
        Assert.True(g.IsGraphInput(name));
        Assert.True(g.IsConstant(name));
        var inputs = g.Inputs.Count;
        Assert.True(g.RemoveInitializer(name));
        Assert.Equal(inputs - 1, g.Inputs.Count);
        Assert.False(g.RemoveInitializer(name));
    }

    [Fact]
    public void Exposing_an_intermediate_as_an_output_makes_ONNX_Runtime_return_it()
    {
        var model = SampleModels.Mlp();
        var hidden = model.Graph.FindNode("/fc1/Relu")!.Outputs[0];
        var info = model.Graph.AddOutput(hidden);
        Assert.Same(info, model.Graph.AddOutput(hidden));
        var outputs = OrtRun.Run(model.ToBytes(), TestGraphs.MlpInput(batch: 3));
        var exposed = outputs.Single(o => o.Name == hidden);
        Assert.Equal([3L, 32], exposed.Shape);
        Assert.All(exposed.Floats, v => Assert.True(v >= 0));
        Assert.Equal(TensorDataType.Float, model.Graph.AddOutput("fc1.weight").ElementType);
    }

    [Fact]
    public void Replacing_a_node_keeps_its_position()
    {
        var original = SampleModels.Mlp();
        var model = original.Clone();
        var g = model.Graph;
        var relu = g.FindNode("/fc1/Relu")!;
        var index = g.Nodes.ToList().IndexOf(relu);
        g.AddInitializer(OnnxTensor.FromFloats("zero", [], [0f]));
        var max = new OnnxNode("Max", [relu.Inputs[0], "zero"], [relu.Outputs[0]], "/fc1/Max");
        g.ReplaceNode(relu, max);
        Assert.Null(relu.Graph);
        Assert.Same(max, g.Nodes[index]);
        Assert.Same(max, g.GetProducer(max.Outputs[0]));
        var a = OrtRun.Run(original.ToBytes(), TestGraphs.MlpInput());
        var b = OrtRun.Run(model.ToBytes(), TestGraphs.MlpInput());
        Assert.Equal(a[0].Floats, b[0].Floats);
    }

    [Fact]
    public void Node_membership_is_enforced()
    {
        var a = SampleModels.Mlp().Graph;
        var b = SampleModels.Mlp().Graph;
        var node = a.Nodes[0];
        Assert.Throws<InvalidOperationException>(() => b.AddNode(node));
        Assert.Equal("MC1017", Assert.Throws<ModelCompressException>(() => b.RemoveNode(node)).Code);
        a.RemoveNode(node);
        Assert.Null(node.Graph);
        b.AddNode(node); // detached nodes may move
        Assert.Same(b, node.Graph);
    }

    [Fact]
    public void Unique_names_never_collide_even_before_use()
    {
        var g = SampleModels.Mlp().Graph;
        Assert.Equal("fresh", g.UniqueName("fresh"));
        Assert.Equal("fresh_1", g.UniqueName("fresh"));
        Assert.Equal("fc1.weight_1", g.UniqueName("fc1.weight"));
        Assert.Equal("/fc1/MatMul_1", g.UniqueName("/fc1/MatMul"));
    }

    [Fact]
    public void Set_initializer_replaces_in_place()
    {
        var g = SampleModels.Mlp().Graph;
        var names = g.Initializers.Keys.ToList();
        var replacement = OnnxTensor.FromFloats("fc1.weight", [16, 32], new float[512]);
        g.SetInitializer(replacement);
        Assert.Equal(names, g.Initializers.Keys);
        Assert.Same(replacement, g.Initializers["fc1.weight"]);
    }

    [Fact]
    public void Clone_is_independent_of_the_original()
    {
        var model = TestGraphs.IfModel();
        var bytes = model.ToBytes();
        var clone = model.Clone();
        clone.Graph.FindNode("branch")!.GetGraph("then_branch")!.Nodes[0].OpType = "Mul";
        clone.Graph.RenameValue("x", "z");
        clone.SetOpsetImport("", 18);
        clone.MetadataProps["k"] = "v";
        Assert.Equal(bytes, model.ToBytes());
        Assert.NotEqual(bytes, clone.ToBytes());
    }
}
