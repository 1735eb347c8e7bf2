using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Recipe;
using static ModelCompress.Tests.Recipe.RecipeTestProject;

namespace ModelCompress.Tests.Recipe;

/// <summary>The recipe keys of int4 RTN/GPTQ and SparseGPT: defaults, fingerprints and each bad value at its line.</summary>
public sealed class ObsRecipeTests : RecipeTests
{
    [Fact]
    public void Int4_defaults_to_weight_only_rtn_and_gptq_keys_bind()
    {
        var (rtn, sink) = Project.Load(Head + Y("    steps:", "      - quantize: { weights: int4 }"));
        Assert.True(rtn is not null, string.Join("\n", sink.Items));
        var q = Assert.IsType<QuantizeStep>(Assert.Single(rtn.Models[0].Steps));
        Assert.Equal((QuantizeMode.WeightOnly, Int4Algorithm.Rtn, 32), (q.Mode, q.Algorithm, q.BlockSize));

        var (gptq, sink2) = Project.Load(Head + Cal + Y("    steps:", "      - quantize: { weights: int4, algorithm: gptq, block_size: 128, percdamp: 0.05, symmetric_weights: false }"));
        Assert.True(gptq is not null, string.Join("\n", sink2.Items));
        var g = Assert.IsType<QuantizeStep>(Assert.Single(gptq.Models[0].Steps));
        Assert.Equal((Int4Algorithm.Gptq, 128, 0.05, false), (g.Algorithm, g.BlockSize, g.PercDamp, g.SymmetricWeights));
        Assert.Contains("gptq", g.SettingsFingerprint(), StringComparison.Ordinal);
        Assert.Contains("percdamp=0.05", g.SettingsFingerprint(), StringComparison.Ordinal);
        Assert.NotEqual(q.SettingsFingerprint(), g.SettingsFingerprint());
    }

    [Fact]
    public void Sparsegpt_keys_bind_and_enter_the_fingerprint()
    {
        var (recipe, sink) = Project.Load(Head + Cal + Y("    steps:", "      - prune: { method: sparsegpt, sparsity: 0.5, percdamp: 0.02, block_size: 64 }"));
        Assert.True(recipe is not null, string.Join("\n", sink.Items));
        var p = Assert.IsType<PruneStep>(Assert.Single(recipe.Models[0].Steps));
        Assert.Equal((PruneMethod.SparseGpt, 0.5, 0.02, 64), (p.Method, p.Sparsity, p.PercDamp, p.BlockSize));
        Assert.Contains("percdamp=0.02", p.SettingsFingerprint(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("      - quantize: { weights: int4, algorithm: gptq }", false, "MC2021", 6, 9)]
    [InlineData("      - prune: { method: sparsegpt, sparsity: 0.5 }", false, "MC2021", 6, 9)]
    [InlineData("      - quantize: { weights: int4, algorithm: gptq, percdamp: 0 }", true, "MC2007", 7, 63)]
    [InlineData("      - quantize: { weights: int4, algorithm: gptq, percdamp: 2 }", true, "MC2007", 7, 63)]
    [InlineData("      - quantize: { weights: int4, algorithm: optq }", true, "MC2008", 7, 47)]
    [InlineData("      - quantize: { mode: weight_only, algorithm: gptq }", true, "MC2017", 7, 40)]
    [InlineData("      - quantize: { weights: int4, percdamp: 0.1 }", true, "MC2017", 7, 36)]
    [InlineData("      - quantize: { weights: int4, per_channel: true }", true, "MC2017", 7, 36)]
    [InlineData("      - prune: { method: magnitude, sparsity: 0.5, percdamp: 0.1 }", true, "MC2017", 7, 52)]
    [InlineData("      - prune: { method: sparsegpt, sparsity: 0.5, block_size: 0 }", true, "MC2007", 7, 64)]
    [InlineData("      - prune: { method: sparsegpt, sparsity: 1 }", true, "MC2007", 7, 47)]
    [InlineData("      - prune: { method: sparsegpt, pattern: \"4:4\" }", true, "MC2025", 7, 46)]
    public void Each_bad_setting_is_its_code_at_its_line_and_column(string step, bool calibration, string code, int line, int column)
    {
        var (recipe, sink) = Project.Load(Head + (calibration ? Cal : string.Empty) + Y("    steps:", step));

        Assert.Null(recipe);
        var d = Assert.Single(sink.Items, i => i.Severity == DiagnosticSeverity.Error);
        Assert.Equal((code, line, column), (d.Code, d.Line, d.Column));
    }
}
