using ModelCompress.Importers;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Recipe;
using ModelCompress.Testing;
using ModelCompress.Tests.Importers;

namespace ModelCompress.Tests.Passes.Structured;

/// <summary>
/// Heads through rotary embeddings and separate Q/K/V linears: a seeded random llama2.c model with as many K/V heads as
/// query heads (the importer's RoPE splits each head into pairs, [.., heads, head_size/2, 2]), and the same
/// architecture with grouped-query attention, which must be left intact.
/// </summary>
public sealed class StructuredPruneRopeTests : IDisposable
{
    private readonly Llama2cFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Rope_heads_of_separate_q_k_v_shrink_and_match_the_zeroed_dense_model()
    {
        var model = Llama2cImporter.Import(_files.RandomCheckpoint("mha.bin", dim: 32, hidden: 48, layers: 2, heads: 4, kvHeads: 4, vocab: 40, seqLen: 16));
        var (zeroed, layers, kept, sink) = StructuredPruneHarness.Prune(model, StructuredPruneHarness.Step(0.5, PruneImportance.Weight, StructuredTarget.Heads));

        Assert.Equal(2, layers.Count);
        Assert.All(kept, k => Assert.Equal(2, k.Length));
        Assert.DoesNotContain(sink.Items, d => d.Code == "MC4060");
        Assert.DoesNotContain(model.Graph.Validate(), d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal(6, model.Graph.Initializers.Values.Count(t => t.Dims is [32, 16])); // wq, wk, wv of both layers: 2 heads of 8

        long[] ids = [1, 5, 9, 3, 22, 7, 14, 30, 2, 11];
        var a = OrtRun.Run(model.ToBytes(), OrtInput.Int64("input_ids", ids, 1, ids.Length))[0].Floats;
        var b = OrtRun.Run(zeroed.ToBytes(), OrtInput.Int64("input_ids", ids, 1, ids.Length))[0].Floats;
        Assert.True(StructuredPruneHarness.MaxAbsDifference(a, b) < 1e-4);
    }

    [Fact]
    public void Grouped_query_attention_is_left_intact_with_the_reason()
    {
        var model = Llama2cImporter.Import(_files.RandomCheckpoint("gqa.bin", dim: 32, hidden: 48, layers: 1, heads: 4, kvHeads: 2, vocab: 40, seqLen: 16));
        var before = model.ToBytes();
        var (_, layers, _, sink) = StructuredPruneHarness.Prune(model, StructuredPruneHarness.Step(0.5, PruneImportance.Weight, StructuredTarget.Heads));

        Assert.Empty(layers);
        var d = Assert.Single(sink.Items, d => d.Code == "MC4060");
        Assert.Equal(DiagnosticSeverity.Info, d.Severity);
        Assert.Contains("grouped-query", d.Message, StringComparison.Ordinal);
        Assert.Equal(before, model.ToBytes());
    }
}
