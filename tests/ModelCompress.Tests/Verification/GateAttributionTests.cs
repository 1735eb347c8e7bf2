using ModelCompress.Recipe;
using ModelCompress.Verification;

namespace ModelCompress.Tests.Verification;

public sealed class GateAttributionTests
{
    private static readonly SourceLocation At = new("c.yaml", 7, 9);

    private static readonly LayerError[] Ranking =
    [
        new("/blocks.5/mlp/fc2/MatMul", "MatMul", "static uint8", 14.04, 0.98, 1.5),
        new("/blocks.1/attn/qkv/MatMul", "MatMul", "static uint8", 21.6, 0.995, 0.7),
        new("/head/MatMul", "MatMul", "static uint8", 30, 0.999, 0.1),
        new("/lm/MatMul", "MatMul", "static uint8", double.PositiveInfinity, 1, 0),
        new("/odd/Conv", "Conv", "dynamic uint8", null, null, null, "only 1-D and 2-D convolutions are simulated"),
    ];

    private static QuantizeStep Step(params ExcludePattern[] exclude) => new(
        QuantizeMode.Static, QuantizeWeightType.Int8, QuantizeActivationType.UInt8, true, true, ActivationRangeMethod.MinMax,
        QuantizeStep.DefaultPercentile, QuantizeStep.DefaultBlockSize, [.. exclude], At);

    [Fact]
    public void A_breach_names_the_three_worst_layers_and_the_exclude_line_for_the_worst()
    {
        var text = GateAttribution.Describe(Ranking, Step(new ExcludePattern(ExcludeKind.OpType, "Gather", At)));

        Assert.Equal(
            " Worst int8 layers by SNR: /blocks.5/mlp/fc2/MatMul (14.0 dB), /blocks.1/attn/qkv/MatMul (21.6 dB), /head/MatMul (30.0 dB)."
            + " Keep the worst in float with exclude: [\"op:Gather\", \"/blocks.5/mlp/fc2/MatMul\"] in the quantize step (line 7),"
            + " adding the next ones in this order if needed, or set on_regression: fallback to search automatically.",
            text);
    }

    [Fact]
    public void After_a_fallback_the_layers_already_in_float_are_kept_in_the_list_and_not_named_again()
    {
        var text = GateAttribution.Describe(Ranking, Step(), ["/blocks.5/mlp/fc2/MatMul"]);

        Assert.StartsWith(" Worst int8 layers by SNR: /blocks.1/attn/qkv/MatMul (21.6 dB), /head/MatMul (30.0 dB), /lm/MatMul (inf dB).", text, StringComparison.Ordinal);
        Assert.Contains("Keep them and the worst in float with exclude: [\"/blocks.5/mlp/fc2/MatMul\", \"/blocks.1/attn/qkv/MatMul\"]", text, StringComparison.Ordinal);
        Assert.EndsWith(" or raise max_fallback_layers to let the fallback search further.", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Unmeasured_layers_are_never_culprits_and_no_measurement_means_no_text()
    {
        Assert.DoesNotContain(GateAttribution.Culprits(Ranking), l => l.Name == "/odd/Conv");
        Assert.Equal(string.Empty, GateAttribution.Describe([Ranking[^1]], Step()));
    }

    [Fact]
    public void Names_are_quoted_for_yaml_and_without_a_quantize_step_only_the_layers_are_named()
    {
        Assert.Equal("[\"a\\\"b\", \"c\\\\d\"]", GateAttribution.ExcludeList(null, ["a\"b", "c\\d"]));
        Assert.Equal(" Worst int8 layers by SNR: /head/MatMul (30.0 dB).", GateAttribution.Describe([Ranking[2]], null));
    }

    [Fact]
    public void The_fallback_recipe_adds_name_exclusions_to_every_quantize_step()
    {
        var model = new ModelRecipe("m", "/m.onnx", null, [Step(new ExcludePattern(ExcludeKind.OpType, "Gather", At))], null, At, At);

        var changed = FallbackRecipe.WithFloatLayers(model, ["/a/MatMul", "/b/MatMul"], At);

        var exclude = FallbackRecipe.QuantizeStepOf(changed)!.Exclude;
        Assert.Equal(["op:Gather", "name:/a/MatMul", "name:/b/MatMul"], exclude.Select(e => e.ToString()));
        Assert.Single(FallbackRecipe.QuantizeStepOf(model)!.Exclude); // the original is untouched
        Assert.NotEqual(FallbackRecipe.QuantizeStepOf(model)!.SettingsFingerprint(), FallbackRecipe.QuantizeStepOf(changed)!.SettingsFingerprint());
    }
}
