using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Recipe;
using ModelCompress.Testing;
using ModelCompress.Tests.Importers;

namespace ModelCompress.Tests.Passes.Structured;

/// <summary>
/// Structured pruning on the real fixtures: the shrunk graph is valid, ONNX Runtime runs it, and it computes what the
/// dense model computes with the removed channels' consumer rows zeroed (up to the float summation order of a GEMM
/// with a shorter reduction).
/// </summary>
public sealed class StructuredPruneFixtureTests(StoriesFixture stories) : IClassFixture<StoriesFixture>
{
    [Fact]
    public void Char_gpt_mlp_quarter_shrinks_every_fc_pair_and_matches_the_zeroed_dense_model()
    {
        var model = OnnxModel.Load(Fixtures.Require("models/char-gpt/char-gpt-6l384.onnx"));
        var (zeroed, layers, kept, sink) = StructuredPruneHarness.Prune(model, StructuredPruneHarness.Step(0.25, PruneImportance.Weight, StructuredTarget.Mlp));

        Assert.Equal(6, layers.Count);
        Assert.All(kept, k => Assert.Equal(1152, k.Length));
        Assert.DoesNotContain(model.Graph.Validate(), d => d.Severity == DiagnosticSeverity.Error);
        var fc1 = model.Graph.Nodes.Where(n => n.Name.EndsWith("mlp/fc1/MatMul", StringComparison.Ordinal)).ToList();
        Assert.Equal(6, fc1.Count);
        Assert.All(fc1, n => Assert.Equal([384L, 1152L], model.Graph.Initializers[n.Inputs[1]].Dims));
        Assert.Contains(sink.Items, d => d.Code == "MC4061");

        var ids = TextData.WikiTextTokenIds(0, 128);
        var pruned = OrtRun.Run(model.ToBytes(), OrtInput.Int64("input_ids", ids, 1, 128))[0].Floats;
        var reference = OrtRun.Run(zeroed.ToBytes(), OrtInput.Int64("input_ids", ids, 1, 128))[0].Floats;
        Assert.True(StructuredPruneHarness.MaxAbsDifference(pruned, reference) < 1e-3);

        // Pruning did something: the output moved away from the dense model's.
        var dense = OrtRun.Run(Fixtures.Require("models/char-gpt/char-gpt-6l384.onnx"), OrtInput.Int64("input_ids", ids, 1, 128))[0].Floats;
        Assert.True(StructuredPruneHarness.MaxAbsDifference(pruned, dense) > 1e-2);
    }

    [Fact]
    public void A_hidden_value_also_read_outside_its_mlp_leaves_that_mlp_intact_with_MC4060_and_the_rest_pruned()
    {
        var model = OnnxModel.Load(Fixtures.Require("models/char-gpt/char-gpt-6l384.onnx"));
        model.Graph.AddOutput("/blocks.0/mlp/act/Mul_1_output_0");

        var (_, layers, _, sink) = StructuredPruneHarness.Prune(model, StructuredPruneHarness.Step(0.25, PruneImportance.Weight, StructuredTarget.Mlp));

        Assert.Equal(5, layers.Count);
        var d = Assert.Single(sink.Items, d => d.Code == "MC4060");
        Assert.Contains("/blocks.0/mlp/fc2/MatMul", d.Message, StringComparison.Ordinal);
        Assert.Contains("graph output", d.Message, StringComparison.Ordinal);
        var fc1 = model.Graph.Nodes.Single(n => n.Name == "/blocks.0/mlp/fc1/MatMul");
        Assert.Equal([384L, 1536L], model.Graph.Initializers[fc1.Inputs[1]].Dims);
    }

    [Fact]
    public void Char_gpt_heads_and_mlp_shrink_the_fused_qkv_split_and_reshapes_and_match_the_zeroed_dense_model()
    {
        var model = OnnxModel.Load(Fixtures.Require("models/char-gpt/char-gpt-6l384.onnx"));
        var (zeroed, layers, kept, sink) = StructuredPruneHarness.Prune(model, StructuredPruneHarness.Step(0.34, PruneImportance.Weight));

        // Per block: the attention (6 heads of 64 → 4 kept) and the MLP (1536 → 1014 kept).
        Assert.True(12 == layers.Count, string.Join("\n", sink.Items));
        Assert.Equal(6, kept.Count(k => k.Length == 4));
        Assert.DoesNotContain(sink.Items, d => d.Code == "MC4060");
        Assert.DoesNotContain(model.Graph.Validate(), d => d.Severity == DiagnosticSeverity.Error);
        var qkv = model.Graph.Nodes.Where(n => n.Name.EndsWith("attn/qkv/MatMul", StringComparison.Ordinal)).ToList();
        Assert.All(qkv, n => Assert.Equal([384L, 768L], model.Graph.Initializers[n.Inputs[1]].Dims));
        var proj = model.Graph.Nodes.Where(n => n.Name.EndsWith("attn/proj/MatMul", StringComparison.Ordinal)).ToList();
        Assert.All(proj, n => Assert.Equal([256L, 384L], model.Graph.Initializers[n.Inputs[1]].Dims));

        var ids = TextData.WikiTextTokenIds(1000, 128);
        var pruned = OrtRun.Run(model.ToBytes(), OrtInput.Int64("input_ids", ids, 1, 128))[0].Floats;
        var reference = OrtRun.Run(zeroed.ToBytes(), OrtInput.Int64("input_ids", ids, 1, 128))[0].Floats;
        Assert.True(StructuredPruneHarness.MaxAbsDifference(pruned, reference) < 1e-3);

        // Shorter windows too: the head count is now in the shapes, the sequence length still comes from the input.
        var shortIds = ids[..17];
        var a = OrtRun.Run(model.ToBytes(), OrtInput.Int64("input_ids", shortIds, 1, 17))[0].Floats;
        var b = OrtRun.Run(zeroed.ToBytes(), OrtInput.Int64("input_ids", shortIds, 1, 17))[0].Floats;
        Assert.True(StructuredPruneHarness.MaxAbsDifference(a, b) < 1e-3);
    }

    [Fact]
    public void Mnist8_conv_channels_shrink_conv_bias_and_next_conv_and_match_the_zeroed_dense_model()
    {
        var path = Fixtures.Require("models/mnist-8.onnx");
        var model = OnnxModel.Load(path);
        var (zeroed, layers, kept, _) = StructuredPruneHarness.Prune(model, StructuredPruneHarness.Step(0.25, PruneImportance.Weight, StructuredTarget.Conv));

        // Conv1 (8 channels) feeds Conv2 through bias Add, Relu and MaxPool; Conv2 feeds a Reshape, which is left alone.
        Assert.Single(layers);
        Assert.Equal(6, kept[0].Length);
        Assert.DoesNotContain(model.Graph.Validate(), d => d.Severity == DiagnosticSeverity.Error);
        var convs = model.Graph.Nodes.Where(n => n.OpType == "Conv").Select(n => model.Graph.Initializers[n.Inputs[1]].Dims).ToList();
        Assert.Equal([6L, 1, 5, 5], convs[0]);
        Assert.Equal([16L, 6, 5, 5], convs[1]);

        var images = Mnist.TestSet(8).Images;
        var input = model.Graph.Inputs[0].Name;
        for (var i = 0; i < 8; i++)
        {
            var x = OrtInput.Float(input, images[i], 1, 1, 28, 28);
            var a = OrtRun.Run(model.ToBytes(), x)[0].Floats;
            var b = OrtRun.Run(zeroed.ToBytes(), x)[0].Floats;
            Assert.True(StructuredPruneHarness.MaxAbsDifference(a, b) < 1e-2, $"image {i}");
        }
    }

    [Fact]
    public void Stories260k_swiglu_gate_and_up_shrink_together_and_match_the_zeroed_dense_model()
    {
        var model = stories.Model.Clone();
        var (zeroed, layers, kept, sink) = StructuredPruneHarness.Prune(model, StructuredPruneHarness.Step(0.25, PruneImportance.Weight));

        // Five layers, each w1 (gate) and w3 (up) → silu(gate)·up → w2; hidden 172 → 129. Attention is grouped-query
        // (4 K/V heads repeated for 8 query heads): left intact, with the reason.
        Assert.Equal(5, layers.Count);
        Assert.Equal(5, sink.Items.Count(d => d.Code == "MC4060" && d.Message.Contains("attention.wo", StringComparison.Ordinal)));
        Assert.All(layers, l => Assert.Equal(3, l.Parts!.Count));
        Assert.All(kept, k => Assert.Equal(129, k.Length));
        Assert.DoesNotContain(model.Graph.Validate(), d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal(5, model.Graph.Nodes.Count(n => n.OpType == "MatMul" && model.Graph.Initializers.TryGetValue(n.Inputs[1], out var w) && w.Dims is [64, 129]) / 2);

        var ids = stories.Tokenizer.Encode("Once upon a time, there was a little girl", bos: true, eos: false).Select(i => (long)i).ToArray();
        var a = OrtRun.Run(model.ToBytes(), OrtInput.Int64("input_ids", ids, 1, ids.Length))[0].Floats;
        var b = OrtRun.Run(zeroed.ToBytes(), OrtInput.Int64("input_ids", ids, 1, ids.Length))[0].Floats;
        Assert.True(StructuredPruneHarness.MaxAbsDifference(a, b) < 1e-3);
        Assert.DoesNotContain(sink.Items, d => d.Severity >= DiagnosticSeverity.Warning);
        Assert.Contains(sink.Items, d => d.Code == "MC4060" && d.Message.Contains("one side only", StringComparison.Ordinal));
    }
}
