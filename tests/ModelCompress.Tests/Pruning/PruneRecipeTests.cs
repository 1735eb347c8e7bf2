using ModelCompress.Recipe;
using ModelCompress.Tests.Recipe;
using static ModelCompress.Tests.Recipe.RecipeTestProject;

namespace ModelCompress.Tests.Pruning;

/// <summary>The prune keys added for scope, PST and storage: defaults, ranges, where each applies, and the fingerprint.</summary>
public sealed class PruneRecipeTests : RecipeTests
{
    private (global::ModelCompress.Recipe.Recipe? Recipe, Onnx.Diagnostics.ListDiagnosticSink Sink) Load(string step) => Project.Load(Y(
        "version: 1", "models:", "  - name: m", "    source: models/m.onnx", "    calibration: { data: data/calib.npz }",
        "    steps:", "      - " + step));

    [Theory]
    [InlineData("prune: { method: magnitude, sparsity: 0.5, rank: 4 }", "MC2017", "'rank' does not apply to this prune method")]
    [InlineData("prune: { method: wanda, sparsity: 0.5, steps: 10 }", "MC2017", "'steps' does not apply")]
    [InlineData("prune: { method: pst, sparsity: 0.5, rank: 0 }", "MC2007", "from 1 to 64")]
    [InlineData("prune: { method: pst, sparsity: 0.5, steps: 0 }", "MC2007", "from 1 to 10000")]
    [InlineData("prune: { method: pst, sparsity: 0.5, learning_rate: 0 }", "MC2007", "greater than 0 and at most 1")]
    [InlineData("prune: { sparsity: 0.5, scope: everywhere }", "MC2008", "layer or global")]
    [InlineData("prune: { method: nm, pattern: \"2:4\", scope: global }", "MC2040", "keeps N of every M")]
    [InlineData("prune: { method: pst, sparsity: 0.5, scope: global }", "MC2040", "'method: pst'")]
    public void Bad_prune_settings_are_coded_errors_on_the_step_line(string step, string code, string fragment)
    {
        var d = Assert.Single(Load(step).Sink.Items);

        Assert.Equal((code, 7), (d.Code, d.Line));
        Assert.Contains(fragment, d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pst_without_calibration_is_mc2021()
    {
        var (_, sink) = Project.Load(Y("version: 1", "models:", "  - name: m", "    source: models/m.onnx", "    steps:", "      - prune: { method: pst, sparsity: 0.5 }"));

        Assert.Equal(("MC2021", 6), (Assert.Single(sink.Items).Code, sink.Items[0].Line));
    }

    [Fact]
    public void Pst_defaults_are_filled_in_and_enter_the_fingerprint_but_the_default_scope_does_not()
    {
        var pst = (PruneStep)Load("prune: { method: pst, sparsity: 0.5 }").Recipe!.Models[0].Steps[0];
        var plain = (PruneStep)Load("prune: { method: magnitude, sparsity: 0.5, scope: layer }").Recipe!.Models[0].Steps[0];
        var global = (PruneStep)Load("prune: { method: magnitude, sparsity: 0.5, scope: global }").Recipe!.Models[0].Steps[0];

        Assert.Equal(PstSettings.Default, pst.Pst);
        Assert.Contains("rank=8", pst.SettingsFingerprint(), StringComparison.Ordinal);
        Assert.Equal("prune/v1{exclude=[];method=\"magnitude\";pattern=null;sparsity=0.5}", plain.SettingsFingerprint());
        Assert.Equal(PruneScope.Global, global.Scope);
        Assert.Contains("scope=\"global\"", global.SettingsFingerprint(), StringComparison.Ordinal);
    }

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

        Assert.Equal(("MC2008", 7, 42), (d.Code, d.Line, d.Column));
        Assert.Contains("packed or dense", d.Message, StringComparison.Ordinal);
    }
}
