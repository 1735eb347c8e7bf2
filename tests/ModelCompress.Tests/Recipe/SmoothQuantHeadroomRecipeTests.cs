using ModelCompress.Recipe;
using static ModelCompress.Tests.Recipe.RecipeTestProject;

namespace ModelCompress.Tests.Recipe;

/// <summary><c>smoothquant: headroom</c>: its defaults (2 with <c>alpha: auto</c>, 1 with a fixed α), its range and its fingerprint.</summary>
public sealed class SmoothQuantHeadroomRecipeTests : RecipeTests
{
    private string Yaml(string settings) => Y(
        "version: 1", "models:", "  - name: m", "    source: models/m.onnx", "    calibration: { data: data/calib.npz }",
        "    steps:", $"      - smoothquant: {{ {settings} }}", "      - quantize");

    private SmoothQuantStep Step(string settings) => Assert.IsType<SmoothQuantStep>(Project.LoadValid(Yaml(settings)).Models[0].Steps[0]);

    [Theory]
    [InlineData("alpha: auto", 2.0)]
    [InlineData("alpha: 0.5", 1.0)]
    [InlineData("alpha: auto, headroom: 1", 1.0)]
    [InlineData("alpha: 0.6, headroom: 3.5", 3.5)]
    public void Headroom_defaults_to_two_for_auto_and_to_eq4_as_written_for_a_fixed_alpha(string settings, double expected) =>
        Assert.Equal(expected, Step(settings).Headroom);

    [Fact]
    public void A_fixed_alpha_without_headroom_keeps_its_fingerprint_and_a_headroom_changes_it()
    {
        Assert.Equal("smoothquant/v1{alpha=0.5;fold=true}", Step("alpha: 0.5").SettingsFingerprint());
        Assert.Equal("smoothquant/v1{alpha=0.5;fold=true;headroom=2}", Step("alpha: 0.5, headroom: 2").SettingsFingerprint());
        Assert.NotEqual(Step("alpha: auto").SettingsFingerprint(), Step("alpha: auto, headroom: 1").SettingsFingerprint());
    }

    [Theory]
    [InlineData("alpha: auto, headroom: 0.5", "MC2007", 47)]
    [InlineData("alpha: auto, headroom: 5000", "MC2007", 47)]
    [InlineData("alpha: auto, headroom: lots", "MC2006", 47)]
    public void Headroom_below_one_or_not_a_number_is_an_error_at_its_value(string settings, string code, int column)
    {
        var (_, sink) = Project.Load(Yaml(settings));

        var d = Assert.Single(sink.Items);
        Assert.Equal((code, 7, column), (d.Code, d.Line, d.Column));
    }

    [Fact]
    public void Headroom_auto_is_chosen_per_group_with_alpha_auto_and_has_its_own_fingerprint()
    {
        var step = Step("alpha: auto, headroom: auto");

        Assert.True(step.AutoHeadroom);
        Assert.Contains("headroom=\"auto\"", step.SettingsFingerprint(), StringComparison.Ordinal);
        Assert.False(Step("alpha: auto").AutoHeadroom);
        Assert.NotEqual(Step("alpha: auto").SettingsFingerprint(), step.SettingsFingerprint());
    }

    [Fact]
    public void Headroom_auto_with_a_fixed_alpha_is_an_error_at_the_key()
    {
        var (_, sink) = Project.Load(Yaml("alpha: 0.5, headroom: auto"));

        var d = Assert.Single(sink.Items);
        Assert.Equal(("MC2017", 7, 36), (d.Code, d.Line, d.Column));
    }
}
