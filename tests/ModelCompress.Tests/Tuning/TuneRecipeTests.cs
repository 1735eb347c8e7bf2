using ModelCompress.Recipe;
using ModelCompress.Tests.Recipe;
using static ModelCompress.Tests.Recipe.RecipeTestProject;

namespace ModelCompress.Tests.Tuning;

/// <summary>The <c>tune:</c> section: defaults, explicit candidates, and every misuse as a coded error at its line.</summary>
public sealed class TuneRecipeTests : RecipeTests
{
    private const string Calibrated = Head + Cal;
    private const string Verify = "    verify:\n      data: data/val.npz\n      thresholds:\n        - { metric: top1_agreement, min: 0.99 }\n";

    [Fact]
    public void An_empty_tune_section_means_size_objective_the_default_budget_and_the_default_space()
    {
        var recipe = Project.LoadValid(Calibrated + "    tune: {}\n" + Verify);

        var model = Assert.Single(recipe.Models);
        Assert.Empty(model.Steps);
        var tune = model.Tune!;
        Assert.Equal(TuneObjective.Size, tune.Objective);
        Assert.Equal(TuneSettings.DefaultMaxTrials, tune.MaxTrials);
        Assert.Null(tune.MaxSeconds);
        Assert.True(tune.UsesDefaultSpace);
        Assert.Equal(6, tune.Location.Line);
    }

    [Fact]
    public void Explicit_candidates_are_step_lists_bound_like_steps()
    {
        var recipe = Project.LoadValid(Calibrated + Y(
            "    tune:",
            "      objective: accuracy",
            "      max_trials: 3",
            "      max_seconds: 90.5",
            "      candidates:",
            "        - [ quantize: { mode: static } ]",
            "        - - smoothquant: { alpha: auto }",
            "          - quantize: { mode: static, method: entropy }") + Verify);

        var tune = recipe.Models[0].Tune!;
        Assert.Equal((TuneObjective.Accuracy, 3, 90.5), (tune.Objective, tune.MaxTrials, tune.MaxSeconds!.Value));
        Assert.Equal(2, tune.Candidates.Length);
        Assert.IsType<QuantizeStep>(Assert.Single(tune.Candidates[0].Steps));
        Assert.Equal(["smoothquant", "quantize"], tune.Candidates[1].Steps.Select(s => s.Kind));
        Assert.Equal(ActivationRangeMethod.Entropy, ((QuantizeStep)tune.Candidates[1].Steps[1]).Method);
        Assert.Contains("\n  - smoothquant: { alpha: auto, alpha_range: [0.3, 0.7]", "\n" + StepYaml.Write(tune.Candidates[1].Steps), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("    tune: { objective: smallest }\n", "MC2008", 6)]
    [InlineData("    tune: { max_trials: 0 }\n", "MC2007", 6)]
    [InlineData("    tune: { max_seconds: -1 }\n", "MC2007", 6)]
    [InlineData("    tune: { budget: 3 }\n", "MC2004", 6)]
    [InlineData("    tune: { candidates: [] }\n", "MC2033", 6)]
    [InlineData("    tune: { candidates: [ quantize ] }\n", "MC2006", 6)]
    [InlineData("    tune:\n      candidates:\n        - [ quantize: { mode: fast } ]\n", "MC2008", 8)]
    [InlineData("    tune:\n      candidates:\n        - [ quantize, smoothquant ]\n", "MC2026", 8)]
    [InlineData("    tune:\n      candidates:\n        - [ quantize ]\n        - [ quantize: { mode: static } ]\n", "MC2102", 9)]
    public void Misuse_is_a_coded_error_at_its_line(string tune, string code, int line)
    {
        var (recipe, sink) = Project.Load(Calibrated + tune + Verify);

        Assert.Null(recipe);
        var d = Assert.Single(sink.Items, d => d.Severity == Onnx.Diagnostics.DiagnosticSeverity.Error);
        Assert.Equal((code, line), (d.Code, d.Line));
    }

    [Fact]
    public void Tune_without_verify_is_MC2100_and_with_steps_MC2101()
    {
        var (noVerify, sink1) = Project.Load(Calibrated + "    tune: {}\n");
        var (both, sink2) = Project.Load(Calibrated + "    steps: [ quantize ]\n    tune: {}\n" + Verify);

        Assert.Null(noVerify);
        var d1 = Assert.Single(sink1.Items);
        Assert.Equal(("MC2100", 6), (d1.Code, d1.Line));
        Assert.Null(both);
        var d = Assert.Single(sink2.Items);
        Assert.Equal(("MC2101", 6), (d.Code, d.Line));
        Assert.Contains("line 7", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_candidate_needing_calibration_on_a_model_without_it_is_MC2021()
    {
        var (recipe, sink) = Project.Load("version: 1\nmodels:\n  - name: m\n    source: models/m.onnx\n"
            + "    tune:\n      candidates:\n        - [ quantize: { mode: static } ]\n" + Verify);

        Assert.Null(recipe);
        Assert.Equal(("MC2021", 7), (Assert.Single(sink.Items).Code, sink.Items[0].Line));
    }
}
