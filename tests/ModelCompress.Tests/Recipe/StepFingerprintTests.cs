using System.Globalization;
using ModelCompress.Recipe;
using static ModelCompress.Tests.Recipe.RecipeTestProject;

namespace ModelCompress.Tests.Recipe;

public sealed class StepFingerprintTests : RecipeTests
{
    private StepRecipe[] Steps(params string[] stepLines)
    {
        var lines = new List<string>
        {
            "version: 1", "models:", "  - name: m", "    source: models/m.onnx", "    calibration: { data: data/calib.npz }", "    steps:",
        };
        // Lines that start with a space continue the previous step; the others start a new one.
        lines.AddRange(stepLines.Select(s => s.StartsWith(' ') ? s : "      - " + s));
        return [.. Project.LoadValid(Y([.. lines])).Models[0].Steps];
    }

    [Fact]
    public void The_fingerprint_format_is_pinned_so_cache_keys_survive_releases()
    {
        var s = Steps("smoothquant: { alpha: 0.5 }", "quantize", "prune: { method: nm, pattern: \"2:4\", exclude: [b, a] }",
            "distill", "share: { method: lowrank }");

        Assert.Equal("smoothquant/v1{alpha=0.5;fold=true}", s[0].SettingsFingerprint());
        Assert.Equal(
            "quantize/v1{activations=\"uint8\";exclude=[];method=\"minmax\";mode=\"static\";per_channel=true;symmetric_weights=true;weights=\"int8\"}",
            s[1].SettingsFingerprint());
        Assert.Equal(
            "prune/v1{exclude=[\"name:a\",\"name:b\"];method=\"nm\";pattern=\"2:4\";sparsity=0.5}",
            s[2].SettingsFingerprint());
        Assert.Equal("distill/v1{epochs=4;learning_rate=0.0001;method=\"layerwise\";rows=2048;teacher=\"source\"}", s[3].SettingsFingerprint());
        Assert.Equal("share/v1{clusters=null;energy=0.99;exclude=[];method=\"lowrank\";rank=null}", s[4].SettingsFingerprint());
    }

    [Fact]
    public void Key_order_style_quoting_and_exclusion_order_do_not_change_it()
    {
        var a = Steps("quantize: { method: percentile, percentile: 99.99, exclude: [\"op:Gemm\", x, \"re:^h\"], per_channel: true }")[0];
        var b = Steps(
            "quantize:",
            "          exclude:",
            "            - re:^h",
            "            - x",
            "            - op:Gemm",
            "            - x",
            "          percentile: \"99.99\"",
            "          method: percentile",
            "          mode: static")[0];

        Assert.Equal(a.SettingsFingerprint(), b.SettingsFingerprint());
    }

    [Theory]
    [InlineData("quantize: { weights: int4 }")]
    [InlineData("quantize: { activations: int8 }")]
    [InlineData("quantize: { per_channel: false }")]
    [InlineData("quantize: { symmetric_weights: false }")]
    [InlineData("quantize: { method: entropy }")]
    [InlineData("quantize: { mode: dynamic }")]
    [InlineData("quantize: { exclude: [n] }")]
    public void Every_setting_that_changes_the_result_changes_it(string changed)
    {
        var baseline = Steps("quantize")[0].SettingsFingerprint();

        Assert.NotEqual(baseline, Steps(changed)[0].SettingsFingerprint());
    }

    [Fact]
    public void Locations_are_not_part_of_it_and_it_is_the_same_in_every_culture()
    {
        var first = Steps("smoothquant: { alpha: auto, alpha_step: 0.025 }", "quantize")[0];
        var moved = Steps("prune: { sparsity: 0.1 }", "smoothquant:", "          alpha_step: 0.025", "          alpha: auto", "quantize")[1];
        Assert.NotEqual(first.Location, moved.Location);

        var previous = CultureInfo.CurrentCulture;
        try
        {
            // German writes 0,025: a culture-sensitive format would change every cache key on such machines.
            CultureInfo.CurrentCulture = new CultureInfo("de-DE");
            Assert.Equal(
                "smoothquant/v1{alpha=\"auto\";alpha_high=0.7;alpha_low=0.3;alpha_step=0.025;combine=\"mean\";fold=true;headroom=2}",
                moved.SettingsFingerprint());
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }

        Assert.Equal(first.SettingsFingerprint(), moved.SettingsFingerprint());
    }

    [Fact]
    public void Quotes_in_names_cannot_forge_another_fingerprint()
    {
        var tricky = Steps("prune: { sparsity: 0.5, exclude: [ 'a\",\"b' ] }")[0];
        var two = Steps("prune: { sparsity: 0.5, exclude: [ a, b ] }")[0];

        Assert.NotEqual(two.SettingsFingerprint(), tricky.SettingsFingerprint());
        Assert.Contains("\"name:a\\\",\\\"b\"", tricky.SettingsFingerprint(), StringComparison.Ordinal);
    }
}
