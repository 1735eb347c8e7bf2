using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Recipe;
using static ModelCompress.Tests.Recipe.RecipeTestProject;

namespace ModelCompress.Tests.Recipe;

/// <summary><c>algorithm: gptq</c> on static int8 weights: binds with its <c>percdamp</c>, and recipes without it keep their fingerprints.</summary>
public sealed class Int8GptqRecipeTests : RecipeTests
{
    [Fact]
    public void Static_int8_takes_gptq_rounding_and_a_recipe_without_it_keeps_its_fingerprint()
    {
        var (plain, sink) = Project.Load(Head + Cal + Y("    steps:", "      - quantize: { mode: static }"));
        var (gptq, sink2) = Project.Load(Head + Cal + Y("    steps:", "      - quantize: { mode: static, algorithm: gptq, percdamp: 0.05 }"));

        Assert.True(plain is not null, string.Join("\n", sink.Items));
        Assert.True(gptq is not null, string.Join("\n", sink2.Items));
        var q = Assert.IsType<QuantizeStep>(Assert.Single(plain.Models[0].Steps));
        var g = Assert.IsType<QuantizeStep>(Assert.Single(gptq.Models[0].Steps));
        Assert.Equal((QuantizeWeightType.Int8, Int4Algorithm.Gptq, 0.05), (g.Weights, g.Algorithm, g.PercDamp));
        Assert.DoesNotContain("algorithm", q.SettingsFingerprint(), StringComparison.Ordinal);
        Assert.Contains("gptq", g.SettingsFingerprint(), StringComparison.Ordinal);
        Assert.Contains("percdamp=0.05", g.SettingsFingerprint(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("      - quantize: { mode: dynamic, algorithm: gptq }", 36)]
    [InlineData("      - quantize: { mode: static, percdamp: 0.1 }", 35)]
    public void Gptq_keys_where_they_do_not_apply_are_mc2017_at_their_column(string step, int column)
    {
        var (recipe, sink) = Project.Load(Head + Cal + Y("    steps:", step));

        Assert.Null(recipe);
        var d = Assert.Single(sink.Items, i => i.Severity == DiagnosticSeverity.Error);
        Assert.Equal(("MC2017", 7, column), (d.Code, d.Line, d.Column));
    }
}
