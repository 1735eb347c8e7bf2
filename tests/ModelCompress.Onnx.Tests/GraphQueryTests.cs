using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Testing;

namespace ModelCompress.Onnx.Tests;

public class GraphQueryTests
{
    [Fact]
    public void Producers_and_consumers_follow_the_edges()
    {
        var g = SampleModels.Mlp().Graph;
        Assert.Equal("Add", g.GetProducer("logits")!.OpType);
        Assert.Null(g.GetProducer("input"));
        Assert.Null(g.GetProducer("fc1.weight"));
        Assert.Equal(["/fc1/MatMul"], g.GetConsumers("input").Select(n => n.Name));
        Assert.Equal(["/fc1/MatMul"], g.GetConsumers("fc1.weight").Select(n => n.Name));
        Assert.Empty(g.GetConsumers("logits"));
        Assert.Equal("/fc2/MatMul", g.GetConsumers(g.FindNode("/fc1/Relu")!.Outputs[0]).Single().Name);
    }

    [Fact]
    public void Queries_see_direct_edits_of_node_inputs()
    {
        var g = SampleModels.Mlp().Graph;
        var mm2 = g.FindNode("/fc2/MatMul")!;
        Assert.Single(g.GetConsumers("input"));
        mm2.Inputs[0] = "input";
        Assert.Equal(2, g.GetConsumers("input").Count);
        mm2.Outputs.Add("extra");
        Assert.Same(mm2, g.GetProducer("extra"));
    }

    [Fact]
    public void Topological_order_is_stable_and_repairs_a_shuffled_graph()
    {
        var model = SampleModels.GptBlock();
        var g = model.Graph;
        Assert.Equal(g.Nodes, g.TopologicalOrder());

        var shuffled = model.Clone();
        var nodes = shuffled.Graph.Nodes.ToList();
        foreach (var n in nodes)
        {
            shuffled.Graph.RemoveNode(n);
        }

        var rng = new DeterministicRandom(3);
        foreach (var n in nodes.OrderBy(_ => rng.NextUInt64()))
        {
            shuffled.Graph.AddNode(n);
        }

        var order = shuffled.Graph.TopologicalOrder();
        var position = order.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i);
        foreach (var n in order)
        {
            foreach (var input in n.Inputs)
            {
                if (shuffled.Graph.GetProducer(input) is { } p)
                {
                    Assert.True(position[p] < position[n], $"{p.Name} must come before {n.Name}");
                }
            }
        }

        shuffled.Graph.SortTopologically();
        Assert.Equal(order, shuffled.Graph.Nodes);
        TestGraphs.AssertSameOutputs(model, shuffled, [OrtInput.Float("x", new DeterministicRandom(1).Uniform(2 * 5 * 64, 1f), 2, 5, 64)]);
    }

    [Fact]
    public void Shapes_come_from_declarations_and_weights()
    {
        var g = SampleModels.Mlp().Graph;
        Assert.Equal(["batch", "16"], g.GetShape("input")!.Select(d => d.ToString()));
        Assert.Equal([new OnnxDimension(16, null), new OnnxDimension(32, null)], g.GetShape("fc1.weight"));
        Assert.Null(g.GetShape("/fc1/MatMul_output_0"));
        Assert.Equal(TensorDataType.Float, g.GetElementType("logits"));
        Assert.Equal(TensorDataType.Undefined, g.GetElementType("/fc1/MatMul_output_0"));
        Assert.Null(g.GetValueInfo("input")!.ConcreteDims);
        Assert.Equal(OnnxValueKind.Tensor, g.GetValueInfo("input")!.Kind);
    }

    [Fact]
    public void Constant_node_weights_of_PP_OCRv4_are_visible_as_weights()
    {
        var model = OnnxModel.Load(Fixtures.Require("models/ppocrv4/ch_PP-OCRv4_rec_infer.onnx"));
        var g = model.Graph;
        Assert.Empty(g.Initializers);
        var linear = g.Nodes.Where(n => n.OpType is "MatMul" or "Conv").ToList();
        var withConstantWeight = linear.Where(n => g.IsConstant(n.Inputs[1])).ToList();
        Assert.True(withConstantWeight.Count >= 40, $"{withConstantWeight.Count} of {linear.Count} linear layers have constant weights");
        long parameters = 0;
        foreach (var n in withConstantWeight)
        {
            Assert.True(g.TryGetWeight(n.Inputs[1], out var w));
            Assert.Equal(n.Inputs[1], w.Name);
            Assert.Equal("Constant", g.GetProducer(n.Inputs[1])!.OpType);
            Assert.Equal(TensorDataType.Float, w.DataType);
            Assert.Equal(n.OpType == "MatMul" ? 2 : 4, w.Rank);
            Assert.All(w.ToFloatArray(), v => Assert.True(float.IsFinite(v)));
            parameters += w.ElementCount;
        }

        // The card says ~2.7M parameters; most of them sit in these MatMul/Conv weights.
        Assert.InRange(parameters, 1_500_000, 3_000_000);
        Assert.Equal([16L, 3, 3, 3], g.GetShape(linear[0].Inputs[1])!.Select(d => d.Value!.Value));
        Assert.False(g.IsConstant("x"));
    }

    [Fact]
    public void Constant_value_attributes_of_other_kinds_become_tensors()
    {
        var g = new OnnxGraph();
        g.AddNode("Constant", [], ["f"]).SetAttribute("value_float", 2.5f);
        g.AddNode("Constant", [], ["i"]).SetAttribute("value_ints", [1L, 2L, 3L]);
        Assert.True(g.TryGetWeight("f", out var f));
        Assert.Equal(0, f.Rank);
        Assert.Equal([2.5f], f.ToFloatArray());
        Assert.True(g.TryGetWeight("i", out var i));
        Assert.Equal([1L, 2, 3], i.ToInt64Array());
    }

    [Fact]
    public void Subgraphs_of_silero_VAD_are_traversed_and_their_outer_reads_count_as_consumers()
    {
        var model = OnnxModel.Load(Fixtures.Require("models/silero-vad-legacy.onnx"));
        var g = model.Graph;
        var ifNode = g.Nodes.Single(n => n.OpType == "If");
        Assert.Equal(2, ifNode.Subgraphs.Count());
        var all = g.AllNodesRecursive().ToList();
        Assert.True(all.Count > 100, $"{all.Count} nodes");
        Assert.Contains(all, n => n.OpType == "LSTM");
        Assert.All(ifNode.Subgraphs, s => Assert.Same(ifNode, s.ParentNode));

        // The branches read the graph's inputs and initializers by name; the If node is their consumer.
        var outer = ifNode.Subgraphs.SelectMany(s => s.GetOuterScopeReferences()).ToHashSet();
        Assert.Contains("input", outer);
        Assert.Contains(g.GetConsumers("input"), n => n == ifNode);
        var initializerReadInBranch = g.Initializers.Keys.First(outer.Contains);
        Assert.Contains(ifNode, g.GetConsumers(initializerReadInBranch));

        // Subgraph weights are visible from inside, through the outer scope.
        var inner = ifNode.Subgraphs.First(s => s.GetOuterScopeReferences().Contains(initializerReadInBranch));
        Assert.True(inner.TryGetWeight(initializerReadInBranch, out var w));
        Assert.Same(g.Initializers[initializerReadInBranch], w);
        Assert.Empty(model.Validate());
    }

    [Fact]
    public void Cycle_makes_topological_order_MC1022()
    {
        var g = new OnnxGraph("cyclic");
        g.AddNode("Relu", ["b"], ["a"], "n1");
        g.AddNode("Relu", ["a"], ["b"], "n2");
        Assert.Equal("MC1022", Assert.Throws<ModelCompressException>(() => g.TopologicalOrder()).Code);
    }
}
