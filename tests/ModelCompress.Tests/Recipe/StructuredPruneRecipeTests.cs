using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Recipe;
using static ModelCompress.Tests.Recipe.RecipeTestProject;

namespace ModelCompress.Tests.Recipe;

/// <summary>The settings of <c>prune: { method: structured }</c>: defaults, the importance resolved from calibration, misuse.</summary>
public sealed class StructuredPruneRecipeTests : RecipeTests
{
    [Theory]
    [InlineData(true, PruneImportance.Activation)]
    [InlineData(false, PruneImportance.Weight)]
    public void Importance_defaults_to_activation_with_calibration_and_to_weight_without(bool calibrated, PruneImportance expected)
    {
        var (recipe, sink) = Project.Load(Head + (calibrated ? Cal : string.Empty) + Y("    steps:", "      - prune: { method: structured, sparsity: 0.25 }"));

        Assert.NotNull(recipe);
        Assert.Empty(sink.Items);
        var step = Assert.IsType<PruneStep>(Assert.Single(recipe.Models[0].Steps));
        Assert.Equal(expected, step.Importance);
        Assert.Equal([StructuredTarget.Mlp, StructuredTarget.Heads, StructuredTarget.Conv], step.Targets.ToArray());
        Assert.Equal(calibrated, step.NeedsCalibration);
        Assert.Contains("importance", step.SettingsFingerprint(), StringComparison.Ordinal);
    }

    [Fact]
    public void Targets_and_importance_are_read_and_change_the_fingerprint()
    {
        var (a, _) = Project.Load(Head + Y("    steps:", "      - prune: { method: structured, sparsity: 0.25, targets: [conv], importance: weight }"));
        var (b, _) = Project.Load(Head + Y("    steps:", "      - prune: { method: structured, sparsity: 0.25, targets: [mlp], importance: weight }"));

        var sa = Assert.IsType<PruneStep>(a!.Models[0].Steps[0]);
        var sb = Assert.IsType<PruneStep>(b!.Models[0].Steps[0]);
        Assert.Equal([StructuredTarget.Conv], sa.Targets.ToArray());
        Assert.NotEqual(sa.SettingsFingerprint(), sb.SettingsFingerprint());
    }

    [Fact]
    public void Activation_importance_without_calibration_is_MC2021_at_the_step()
    {
        var (recipe, sink) = Project.Load(Head + Y("    steps:", "      - prune: { method: structured, sparsity: 0.25, importance: activation }"));

        Assert.Null(recipe);
        var d = Assert.Single(sink.Items);
        Assert.Equal(("MC2021", 6, 9), (d.Code, d.Line, d.Column));
    }

    [Theory]
    [InlineData("targets: [mlp]")]
    [InlineData("importance: weight")]
    public void Structured_only_keys_on_another_method_are_MC2017(string setting)
    {
        var (recipe, sink) = Project.Load(Head + Y("    steps:", $"      - prune: {{ method: magnitude, sparsity: 0.5, {setting} }}"));

        Assert.Null(recipe);
        var d = Assert.Single(sink.Items);
        Assert.Equal(("MC2017", DiagnosticSeverity.Error, 6), (d.Code, d.Severity, d.Line));
        Assert.Contains("'method: structured' only", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_targets_list_is_MC2033()
    {
        var (recipe, sink) = Project.Load(Head + Y("    steps:", "      - prune: { method: structured, sparsity: 0.25, targets: [] }"));

        Assert.Null(recipe);
        Assert.Equal("MC2033", Assert.Single(sink.Items).Code);
    }
}
