using ModelCompress.Analysis;
using ModelCompress.Execution;
using ModelCompress.Importers;
using ModelCompress.Onnx;
using ModelCompress.Testing;
using ModelCompress.Tests.Importers;
using Xunit.Abstractions;

namespace ModelCompress.Tests.Execution;

/// <summary>Where the planner cuts real models, and what every segment must satisfy.</summary>
public sealed class SegmentPlannerTests(ITestOutputHelper output)
{
    private static readonly Lazy<OnnxModel> CharGpt = new(() => OnnxModel.Load(Fixtures.Require("models/char-gpt/char-gpt-6l384.onnx")));

    internal static OnnxModel Stories() => Llama2cImporter.Import(StoriesFixture.CheckpointPath, StoriesFixture.TokenizerPath);

    [Fact]
    public void Char_gpt_is_cut_at_the_residual_stream_between_half_blocks()
    {
        var model = CharGpt.Value;
        var linear = GraphAnalyzer.Analyze(model).Layers.Select(l => l.InputName).ToList();
        var plan = SegmentPlanner.Plan(model, linear, SegmentPolicy.Default);
        Describe(plan);
        Assert.True(plan.Segments.Count >= 8, $"{plan.Segments.Count} segments");
        AssertWellFormed(plan, linear);

        // Every cut carries one value: the residual stream.
        Assert.All(plan.Segments.SkipLast(1), s => Assert.Single(s.LiveAfter));

        // The last MLP's second matrix sits in the next-to-last segment, and with the classifier's segment after it
        // that is less than a sixth of the weights: what a change to it re-runs.
        Assert.Contains(plan.Segments[^2].Nodes, n => n.Name == "/blocks.5/mlp/fc2/MatMul");
        Assert.True(plan.Segments[^2].WeightBytes + plan.Segments[^1].WeightBytes < model.Graph.Initializers.Values.Sum(t => t.ByteLength) / 6);
    }

    [Fact]
    public void Char_gpt_smoothquant_group_inputs_are_all_produced_by_some_segment()
    {
        var model = CharGpt.Value;
        var groups = GraphAnalyzer.Analyze(model).Groups.Select(g => g.Activation).ToList();
        var plan = SegmentPlanner.Plan(model, groups, SegmentPolicy.Default);
        Describe(plan);
        AssertWellFormed(plan, groups);
    }

    [Fact]
    public void Stories260K_is_cut_and_small_or_quantized_models_are_not_cut_across_a_QDQ_pair()
    {
        var model = Stories();
        var linear = GraphAnalyzer.Analyze(model).Layers.Select(l => l.InputName).ToList();
        var plan = SegmentPlanner.Plan(model, linear, SegmentPolicy.Default);
        Describe(plan);
        Assert.True(plan.IsSegmented);
        AssertWellFormed(plan, linear);

        var mnist = OnnxModel.Load(Fixtures.Require("models/mnist-8.onnx"));
        Assert.False(SegmentPlanner.Plan(mnist, [], SegmentPolicy.Default).IsSegmented);
    }

    /// <summary>
    /// A chain of six 256×256 MatMul+Relu layers (256 KiB of weights each) whose third activation goes through a
    /// QuantizeLinear/DequantizeLinear pair: the chain is cut, but never at a value next to the QDQ pair.
    /// </summary>
    internal static OnnxModel QdqChain()
    {
        var g = new OnnxGraph("chain");
        g.AddInput(new OnnxValueInfo("x", TensorDataType.Float, [1, 256]));
        var value = "x";
        var random = new Random(7);
        for (var i = 0; i < 6; i++)
        {
            g.AddInitializer(OnnxTensor.FromFloats($"w{i}", [256, 256], [.. Enumerable.Range(0, 256 * 256).Select(_ => (float)(random.NextDouble() - 0.5) / 8)]));
            g.AddNode("MatMul", [value, $"w{i}"], [$"m{i}"], $"mm{i}");
            g.AddNode("Relu", [$"m{i}"], [$"r{i}"], $"relu{i}");
            value = $"r{i}";
            if (i == 2)
            {
                g.AddInitializer(OnnxTensor.FromFloats("s", [], [0.05f]));
                g.AddInitializer(OnnxTensor.FromUInt8("z", [], [0]));
                g.AddNode("QuantizeLinear", [value, "s", "z"], ["q2"], "q");
                g.AddNode("DequantizeLinear", ["q2", "s", "z"], ["dq2"], "dq");
                value = "dq2";
            }
        }

        g.AddOutput(value);
        var model = new OnnxModel(g);
        model.SetOpsetImport(string.Empty, 17);
        return model;
    }

    [Fact]
    public void A_cut_never_carries_a_value_a_QDQ_pair_produces_or_reads()
    {
        var model = QdqChain();
        string[] requested = ["x", "r0", "r1", "dq2", "r3", "r4"];
        var plan = SegmentPlanner.Plan(model, requested, SegmentPolicy.Default);
        Describe(plan);
        Assert.True(plan.Segments.Count >= 3);
        AssertWellFormed(plan, requested);
        var crossing = plan.Segments.SelectMany(s => s.LiveAfter).ToHashSet();
        Assert.DoesNotContain("r2", crossing);
        Assert.DoesNotContain("q2", crossing);
        Assert.DoesNotContain("dq2", crossing);
        Assert.Equal(["x"], plan.RequestedInputs);

        // Observed together: no cut between r0 and r4.
        Assert.Single(SegmentPlanner.Plan(model, requested, SegmentPolicy.Default, [("r0", "r4")]).Segments, s => s.Requested.Contains("r0") || s.Requested.Contains("r4"));
    }

    [Fact]
    public void A_model_that_cannot_be_cut_runs_whole_and_says_why()
    {
        var model = QdqChain();
        Assert.Contains("not computed from the model's inputs", SegmentPlanner.Plan(model, ["w0"], SegmentPolicy.Default).WhyWhole, StringComparison.Ordinal);

        // A node that reads a value produced after it: not in topological order.
        var relu = model.Graph.Nodes.First(n => n.Name == "relu0");
        model.Graph.RemoveNode(relu);
        model.Graph.InsertNode(0, relu);
        var plan = SegmentPlanner.Plan(model, ["r0"], SegmentPolicy.Default);
        Assert.False(plan.IsSegmented);
        Assert.Contains("topological", plan.WhyWhole, StringComparison.Ordinal);
        Assert.Equal(model.Graph.Nodes.Count, Assert.Single(plan.Segments).Nodes.Count);
    }

    /// <summary>Each data node runs in exactly one segment, each segment's inputs are available when it runs, and the requested values are all produced.</summary>
    internal static void AssertWellFormed(SegmentPlan plan, IReadOnlyCollection<string> requested)
    {
        var graph = plan.Model.Graph;
        var available = graph.Inputs.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var seen = new HashSet<OnnxNode>();
        var produced = new HashSet<string>(StringComparer.Ordinal);
        foreach (var segment in plan.Segments)
        {
            Assert.All(segment.CarriedInputs, v => Assert.Contains(v, available));
            var inside = segment.Nodes.SelectMany(n => n.Outputs).ToHashSet(StringComparer.Ordinal);
            foreach (var node in segment.Nodes)
            {
                Assert.All(node.Inputs.Where(i => i.Length > 0), i => Assert.True(
                    inside.Contains(i) || graph.Initializers.ContainsKey(i) || segment.CarriedInputs.Contains(i) || segment.GraphInputs.Contains(i),
                    $"segment {segment.Index}: '{i}' of {node.Name} is not available"));
                seen.Add(node);
            }

            produced.UnionWith(segment.Requested);
            available.UnionWith(segment.Exports);
            Assert.All(segment.LiveAfter, v => Assert.Contains(v, available));
        }

        Assert.Equal(graph.Nodes.Count, seen.Count);
        Assert.All(requested.Where(r => !graph.IsGraphInput(r)), r => Assert.Contains(r, produced));
    }

    private void Describe(SegmentPlan plan)
    {
        foreach (var s in plan.Segments)
        {
            output.WriteLine($"segment {s.Index}: {s.Nodes.Count} nodes, {s.WeightBytes:N0} B, in [{string.Join(", ", s.CarriedInputs)}], " +
                $"out [{string.Join(", ", s.Exports)}], requested {s.Requested.Count}, first {s.Nodes[0].Name}, last {s.Nodes[^1].Name}");
        }
    }
}
