using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Passes;
using ModelCompress.Recipe;

namespace ModelCompress.Tests.Passes;

/// <summary>The pass each step gets, and what PassFactory says about combinations that do not do what they are for.</summary>
public sealed class PassFactoryTests
{
    private static readonly SourceLocation SmoothAt = new("compression.yaml", 7, 9);

    private static SmoothQuantStep Smooth(double? alpha) => new(alpha, 0.3, 0.7, 0.05, AlphaCombine.Max, true, SmoothAt);

    private static QuantizeStep Quantize(QuantizeMode mode) => new(
        mode, QuantizeWeightType.Int8, QuantizeActivationType.UInt8, true, true, ActivationRangeMethod.MinMax, 99.99, 32, [],
        new SourceLocation("compression.yaml", 8, 9));

    [Theory]
    [InlineData(QuantizeMode.WeightOnly, "a weight_only quantize step")]
    [InlineData(QuantizeMode.Dynamic, "a dynamic quantize step")]
    public void SmoothQuant_before_a_step_that_does_not_quantize_activations_statically_is_MC3018_at_its_line(QuantizeMode mode, string what)
    {
        var sink = new ListDiagnosticSink();
        var smooth = Smooth(null);

        var pass = PassFactory.Create(smooth, "m", sink, [smooth, Quantize(mode)]);

        Assert.IsType<SmoothQuantPass>(pass);
        var warning = Assert.Single(sink.Items);
        Assert.Equal(("MC3018", DiagnosticSeverity.Warning, 7, 9), (warning.Code, warning.Severity, warning.Line, warning.Column));
        Assert.Contains(what, warning.Message);
        Assert.Contains("alpha: auto", warning.Message);
    }

    [Fact]
    public void SmoothQuant_before_static_int8_is_quiet()
    {
        var sink = new ListDiagnosticSink();
        var smooth = Smooth(0.5);

        PassFactory.Create(smooth, "m", sink, [smooth, Quantize(QuantizeMode.Static)]);

        Assert.Empty(sink.Items);
    }

    [Fact]
    public void SmoothQuant_with_no_quantize_step_after_it_is_MC3018()
    {
        var sink = new ListDiagnosticSink();
        var smooth = Smooth(0.5);

        PassFactory.Create(smooth, "m", sink, [Quantize(QuantizeMode.Static), smooth]);

        Assert.Contains("no quantize step", Assert.Single(sink.Items, d => d.Code == "MC3018").Message);
    }

    [Fact]
    public void A_step_without_a_pass_is_MC3001_at_its_recipe_line_never_skipped()
    {
        // Every step a recipe can name today has a pass; a step kind added to the recipe before its pass must stop
        // the run at its line rather than be skipped or replaced by another.
        var step = new FutureStep(new SourceLocation("compression.yaml", 9, 9));

        var ex = Assert.Throws<ModelCompressException>(() => PassFactory.Create(step, "m", new ListDiagnosticSink(), [step]));

        Assert.Equal("MC3001", ex.Code);
        Assert.Equal(("compression.yaml", 9, 9), (ex.Diagnostic.File, ex.Diagnostic.Line, ex.Diagnostic.Column));
        Assert.Contains("'future'", ex.Message, StringComparison.Ordinal);
    }

    private sealed record FutureStep(SourceLocation Location) : StepRecipe(Location)
    {
        public override string Kind => "future";

        public override string SettingsFingerprint() => "future";
    }
}
