using ModelCompress.Onnx.Diagnostics;
using static ModelCompress.Tests.Recipe.RecipeTestProject;

namespace ModelCompress.Tests.Recipe;

/// <summary>Rules that depend on other settings: keys that do not apply, alternatives, required-by-method keys.</summary>
public sealed class RecipeRuleTests : RecipeTests
{
    /// <summary>A model with calibration and one step on line 7, whose settings are <paramref name="step"/>.</summary>
    private IReadOnlyList<Diagnostic> StepDiagnostics(string step) => Project.Load(Y(
        "version: 1", "models:", "  - name: m", "    source: models/m.onnx", "    calibration: { data: data/calib.npz }",
        "    steps:", "      - " + step)).Sink.Items;

    [Theory]
    [InlineData("quantize: { mode: weight_only, activations: int8 }", "MC2017", "'activations' does not apply when 'mode' is weight_only")]
    [InlineData("quantize: { mode: dynamic, method: entropy }", "MC2017", "'method' does not apply when 'mode' is dynamic")]
    [InlineData("quantize: { mode: static, method: entropy, percentile: 99 }", "MC2017", "'percentile' does not apply")]
    [InlineData("quantize: { block_size: 64 }", "MC2017", "'block_size' does not apply to int8 weights")]
    [InlineData("quantize: { weights: int4, block_size: 48 }", "MC2007", "a power of two")]
    [InlineData("quantize: { weights: int4, block_size: 8 }", "MC2007", "from 16 to 4096")]
    [InlineData("quantize: { method: percentile, percentile: 0 }", "MC2007", "greater than 0 and at most 100")]
    [InlineData("quantize: { per_channel: yes }", "MC2006", "true or false")]
    [InlineData("quantize: { exclude: \"op:Gemm\" }", "MC2006", "must be a list")]
    [InlineData("prune: { method: nm }", "MC2005", "'pattern' is missing")]
    [InlineData("prune: { method: magnitude }", "MC2005", "'sparsity' is missing")]
    [InlineData("prune: { method: structured, sparsity: 0.3, pattern: \"2:4\" }", "MC2017", "'pattern' does not apply to structured")]
    [InlineData("prune: { sparsity: 1 }", "MC2007", "less than 1")]
    [InlineData("prune: { pattern: 2 }", "MC2025", "'2' is not an N:M pattern")]
    [InlineData("distill: { teacher: data/calib.npz }", "MC2029", "'teacher' must name an .onnx file")]
    [InlineData("distill: { epochs: 0 }", "MC2007", "from 1 to 10000")]
    [InlineData("distill: { method: kd }", "MC2008", "Use one of: layerwise.")]
    [InlineData("share: { clusters: 4 }", "MC2005", "'method' is missing")]
    [InlineData("share: { method: cluster, clusters: 1000 }", "MC2007", "from 2 to 256")]
    [InlineData("share: { method: cluster, rank: 4 }", "MC2017", "'rank' does not apply to 'method: cluster'")]
    [InlineData("share: { method: lowrank, clusters: 4 }", "MC2017", "'clusters' does not apply to 'method: lowrank'")]
    [InlineData("share: { method: lowrank, energy: 1.5 }", "MC2007", "greater than 0 and at most 1")]
    [InlineData("quantize: [ mode ]", "MC2006", "'quantize' must be a mapping")]
    [InlineData("{ }", "MC2010", "is empty")]
    [InlineData("[ quantize ]", "MC2010", "is a list")]
    public void Settings_that_contradict_each_other_are_errors_on_the_step_line(string step, string code, string fragment)
    {
        var d = Assert.Single(StepDiagnostics(step));

        Assert.Equal((code, 7), (d.Code, d.Line));
        Assert.Contains(fragment, d.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("calibration: { data: data/calib.npz, seq_len: 64 }", "MC2017", "'seq_len' does not apply to npz data")]
    [InlineData("calibration: { data: data/calib.npy, tokenizer: bytes }", "MC2017", "'tokenizer' does not apply to npy data")]
    [InlineData("calibration: { data: data/calib.npz, format: csv }", "MC2008", "Use one of: npy, npz, text or mnist-idx.")]
    [InlineData("calibration: { data: data/train.txt, tokenizer: bytes, seq_len: 0 }", "MC2007", "from 1 to")]
    [InlineData("calibration: { data: data/calib.npz, seed: -1 }", "MC2007", "of at least 0")]
    [InlineData("calibration: data/calib.npz", "MC2006", "'calibration' must be a mapping")]
    [InlineData("calibration: { samples: 8 }", "MC2005", "'data' is missing from 'calibration' of model 'm'")]
    public void Calibration_settings_are_checked_against_the_data_format(string calibration, string code, string fragment)
    {
        var (_, sink) = Project.Load(Y(
            "version: 1", "models:", "  - name: m", "    source: models/m.onnx", "    " + calibration,
            "    steps: [ smoothquant, quantize ]"));

        var d = Assert.Single(sink.Items);
        Assert.Equal((code, 5), (d.Code, d.Line));
        Assert.Contains(fragment, d.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("max_fallback_layers: 3", "MC2017", "unless 'on_regression' is fallback")]
    [InlineData("fallback_order: sensitivity", "MC2017", "unless 'on_regression' is fallback")]
    [InlineData("on_regression: retry", "MC2008", "Use one of: fail or fallback.")]
    [InlineData("severity: fatal", "MC2008", "Use one of: error or warning.")]
    [InlineData("samples: 0", "MC2007", "of at least 1")]
    [InlineData("thresholds: []", "MC2033", "'thresholds' is empty")]
    [InlineData("thresholds: [ { min: 0.9 } ]", "MC2005", "'metric' is missing")]
    [InlineData("thresholds: [ { metric: top1, min: 0.9 } ]", "MC2008", "Did you mean 'top1_agreement'?")]
    [InlineData("thresholds: [ { metric: top1_agreement, min: 1.2 } ]", "MC2007", "from 0 to 1")]
    [InlineData("thresholds: [ { metric: cosine, min: -2 } ]", "MC2007", "from -1 to 1")]
    [InlineData("thresholds: [ { metric: max_abs_error, max: -1 } ]", "MC2007", "of at least 0")]
    [InlineData("thresholds: [ { metric: mean_abs_error, min: 0 } ]", "MC2017", "which takes: max")]
    [InlineData("thresholds: [ { metric: top1_agreement, max_drop: 0.01 } ]", "MC2017", "which takes: min")]
    [InlineData("thresholds: [ { metric: snr_db, mn: 30 } ]", "MC2004", "Did you mean 'min'?")]
    [InlineData("thresholds: [ top1_agreement ]", "MC2006", "'thresholds[0]' must be a mapping")]
    public void Verify_settings_and_threshold_bounds_are_checked(string setting, string code, string fragment)
    {
        var (_, sink) = Project.Load(Y(
            "version: 1", "models:", "  - name: m", "    source: models/m.onnx", "    steps: [ { quantize: { mode: dynamic } } ]",
            "    verify:", "      data: data/val.npz", "      " + setting,
            setting.StartsWith("thresholds", StringComparison.Ordinal) ? string.Empty : "      thresholds: [ { metric: cosine, min: 0.99 } ]"));

        Assert.True(sink.Items.Count >= 1, "no diagnostic");
        var d = sink.Items[0];
        Assert.Equal((code, 8), (d.Code, d.Line));
        Assert.Contains(fragment, d.Message, StringComparison.Ordinal);
        Assert.All(sink.Items.Skip(1), extra => Assert.Equal("MC2018", extra.Code));
    }

    [Fact]
    public void A_misspelled_required_key_is_one_error_not_two()
    {
        var (_, sink) = Project.Load(Y(
            "version: 1", "models:", "  - naem: m", "    source: models/m.onnx", "    steps: [ { quantize: { mode: dynamic } } ]"));

        var d = Assert.Single(sink.Items);
        Assert.Equal(("MC2004", 3, 5), (d.Code, d.Line, d.Column));
        Assert.Contains("Did you mean 'name'?", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Steps_needing_calibration_are_each_reported_but_data_free_steps_are_not()
    {
        var (_, sink) = Project.Load(Y(
            "version: 1", "models:", "  - name: m", "    source: models/m.onnx", "    steps:",
            "      - prune: { method: wanda, sparsity: 0.5 }", "      - prune: { method: magnitude, sparsity: 0.5 }",
            "      - distill", "      - share: { method: cluster }", "      - quantize: { mode: weight_only }", "      - quantize"));

        Assert.Equal(
            [("MC2021", 6), ("MC2021", 8), ("MC2021", 11), ("MC2027", 11)],
            sink.Items.Select(d => (d.Code, d.Line)));
    }
}
