using ModelCompress.Recipe;
using ModelCompress.Tests.Recipe;
using static ModelCompress.Tests.Recipe.RecipeTestProject;

namespace ModelCompress.Tests.Storage;

/// <summary>The prune step's <c>storage:</c> key: default, values, errors and the cache fingerprint.</summary>
public sealed class SparseStorageRecipeTests : IDisposable
{
    private readonly RecipeTestProject _p = new();

    public void Dispose() => _p.Dispose();

    private (global::ModelCompress.Recipe.Recipe? Recipe, Onnx.Diagnostics.ListDiagnosticSink Sink) Load(string step) => _p.Load(Y(
        "version: 1", "models:", "  - name: m", "    source: models/m.onnx", "    steps:", "      - " + step));

    [Fact]
    public void Storage_is_unset_by_default_dense_when_asked_and_never_part_of_the_layer_fingerprint()
    {
        var plain = (PruneStep)Load("prune: { sparsity: 0.5 }").Recipe!.Models[0].Steps[0];
        var dense = (PruneStep)Load("prune: { sparsity: 0.5, storage: dense }").Recipe!.Models[0].Steps[0];
        var packed = (PruneStep)Load("prune: { sparsity: 0.5, storage: packed }").Recipe!.Models[0].Steps[0];

        Assert.Null(plain.Storage);
        Assert.Equal(SparseStorage.Dense, dense.Storage);
        Assert.Equal(SparseStorage.Packed, packed.Storage);
        // Storage shapes only the written file, so the per-layer cache serves packed and dense runs alike.
        Assert.Equal(plain.SettingsFingerprint(), dense.SettingsFingerprint());
    }

    [Fact]
    public void An_unknown_storage_is_mc2008_at_its_value()
    {
        var d = Assert.Single(Load("prune: { sparsity: 0.5, storage: sparse }").Sink.Items);

        Assert.Equal(("MC2008", 6, 42), (d.Code, d.Line, d.Column));
        Assert.Contains("packed or dense", d.Message, StringComparison.Ordinal);
    }
}
