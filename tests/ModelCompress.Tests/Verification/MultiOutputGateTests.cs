using ModelCompress.Calibration;
using ModelCompress.Data;
using ModelCompress.Testing;
using ModelCompress.Engine;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Tests.Engine;

namespace ModelCompress.Tests.Verification;

/// <summary>
/// The gate holds every output of a model to the thresholds (or the outputs named in <c>verify: outputs:</c>), and
/// reports each output's metrics. The model has two outputs from two MatMuls; only the second layer is quantized, so
/// only the second output drifts.
/// </summary>
public sealed class MultiOutputGateTests
{
    private static OnnxModel TwoOutputs()
    {
        var rng = new DeterministicRandom(7);
        var b = new OnnxModelBuilder("two-outputs").Opset(17);
        var g = b.Graph;
        g.Input("x", TensorDataType.Float, "batch", 16);
        var w1 = g.Initializer("main.weight", [16, 8], rng.Uniform(16 * 8, 1f));
        var w2 = g.Initializer("aux.weight", [16, 8], rng.Uniform(16 * 8, 1f));
        g.Node("MatMul", ["x", w1], ["main"], "/main/MatMul");
        g.Node("MatMul", ["x", w2], ["aux"], "/aux/MatMul");
        g.Output("main", TensorDataType.Float, "batch", 8);
        g.Output("aux", TensorDataType.Float, "batch", 8);
        return b.Build();
    }

    private static TestProject Project(string outputs)
    {
        var p = new TestProject();
        p.AddModel("models/model.onnx", TwoOutputs());
        p.AddRandomData("data/verify.npz", 3, ("x", [16, 16]));
        p.WriteRecipe($"""
            version: 1
            models:
              - name: two
                source: models/model.onnx
                steps:
                  - quantize: {"{"} mode: weight_only, exclude: ["/main/MatMul"] {"}"}
                verify:
                  data: data/verify.npz
            {outputs}
                  thresholds:
                    - {"{"} metric: max_abs_error, max: 0 {"}"}
            """);
        return p;
    }

    private static CompressResult Run(TestProject p, ListDiagnosticSink sink) =>
        ModelCompressEngine.Compress(p.LoadRecipe(), new CompressOptions(p.PathOf("out")), sink, CancellationToken.None);

    [Fact]
    public void Every_output_is_compared_and_a_breach_on_the_second_output_fails_naming_it()
    {
        using var p = Project(outputs: string.Empty);
        var sink = new ListDiagnosticSink();

        var result = Run(p, sink);

        Assert.False(result.Succeeded);
        var metrics = result.Report.Models[0].Verification!.Metrics;
        Assert.Equal("main", metrics.Output);
        Assert.Equal(0, metrics.MaxAbsError);
        var aux = Assert.Single(metrics.OtherOutputs);
        Assert.Equal("aux", aux.Output);
        Assert.True(aux.MaxAbsError > 0);
        Assert.True(aux.Cosine is > 0.999 and < 1, $"aux cosine {aux.Cosine}");
        var outcome = Assert.Single(result.Report.Models[0].Verification!.Thresholds);
        Assert.False(outcome.Passed);
        Assert.Equal("aux", outcome.Output);
        Assert.Equal(aux.MaxAbsError, outcome.Value);
        var d = Assert.Single(sink.Items, i => i.Code == "MC5001");
        Assert.Contains("on output 'aux'", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Outputs_in_the_recipe_restrict_the_comparison_to_the_outputs_named()
    {
        using var p = Project(outputs: "      outputs: [main]");
        var sink = new ListDiagnosticSink();

        var result = Run(p, sink);

        Assert.True(result.Succeeded, string.Join("\n", sink.Items));
        var metrics = result.Report.Models[0].Verification!.Metrics;
        Assert.Equal("main", metrics.Output);
        Assert.Empty(metrics.OtherOutputs);
        Assert.Null(Assert.Single(result.Report.Models[0].Verification!.Thresholds).Output);
    }

    [Fact]
    public void Named_outputs_are_compared_in_the_recipe_order_the_first_being_primary()
    {
        using var p = Project(outputs: "      outputs: [aux, main]");
        var sink = new ListDiagnosticSink();

        var result = Run(p, sink);

        var metrics = result.Report.Models[0].Verification!.Metrics;
        Assert.Equal(["aux", "main"], metrics.AllOutputs().Select(m => m.Output));
        Assert.False(result.Succeeded);
    }

    [Fact]
    public void An_output_the_model_lacks_is_MC5006_at_the_outputs_line()
    {
        using var p = Project(outputs: "      outputs: [main, logits]");
        var sink = new ListDiagnosticSink();

        var ex = Assert.Throws<ModelCompressException>(() => Run(p, sink));

        Assert.Equal("MC5006", ex.Diagnostic.Code);
        Assert.Equal((p.PathOf("compression.yaml"), 9), (ex.Diagnostic.File, ex.Diagnostic.Line));
        Assert.Contains("'logits'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("main, aux", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_output_listed_twice_is_MC2038()
    {
        using var p = Project(outputs: "      outputs: [main, main]");
        var sink = new ListDiagnosticSink();

        global::ModelCompress.Recipe.RecipeLoader.Load(p.PathOf("compression.yaml"), global::ModelCompress.Recipe.RecipeLoadOptions.Default, sink);

        var d = Assert.Single(sink.Items, i => i.Code == "MC2038");
        Assert.Equal((9, 23), (d.Line, d.Column));
    }

    [Fact]
    public void The_silero_VAD_is_verified_on_its_probability_and_both_LSTM_state_outputs()
    {
        using var p = new TestProject();
        File.Copy(Fixtures.Require("models/silero-vad-legacy.onnx"), p.PathOf("vad.onnx"));
        p.AddArrays("data/verify.npz", VadChunks(6));
        p.WriteRecipe("""
            version: 1
            models:
              - name: vad
                source: vad.onnx
                steps:
                  - quantize: { mode: weight_only }
                verify:
                  data: data/verify.npz
                  thresholds:
                    - { metric: cosine, min: 0.99 }
            """);
        var sink = new ListDiagnosticSink();

        var result = Run(p, sink);

        Assert.True(result.Succeeded, string.Join("\n", sink.Items));
        var metrics = result.Report.Models[0].Verification!.Metrics;
        Assert.Equal(["output", "hn", "cn"], metrics.AllOutputs().Select(m => m.Output));
        Assert.All(metrics.AllOutputs(), m => Assert.True(m.Samples == 6 && m.Cosine >= 0.99, $"{m.Output}: cosine {m.Cosine}"));
        // hn and cn are [2, 1, 64] per chunk: the rows compared are the 64-wide state vectors.
        Assert.Equal(6 * 2, metrics.OtherOutputs[0].Rows);
    }

    /// <summary>
    /// 32 ms chunks of 16 kHz audio (a 220 Hz tone with a decaying envelope plus noise, from a fixed seed), the sample
    /// rate as a scalar per chunk, and zero LSTM state.
    /// </summary>
    private static Dictionary<string, NdArray> VadChunks(int count)
    {
        var rng = new DeterministicRandom(5);
        var audio = new float[count * 512];
        for (var i = 0; i < audio.Length; i++)
        {
            var t = i / 16000.0;
            audio[i] = (float)(0.4 * Math.Exp(-3 * t) * Math.Sin(2 * Math.PI * 220 * t)) + rng.NextUniform(0.02f);
        }

        return new Dictionary<string, NdArray>
        {
            ["input"] = NdArray.FromFloats(audio, count, 512),
            ["sr"] = NdArray.FromInt64([.. Enumerable.Repeat(16000L, count)], count),
            ["h"] = NdArray.FromFloats(new float[count * 2 * 64], count, 2, 64),
            ["c"] = NdArray.FromFloats(new float[count * 2 * 64], count, 2, 64),
        };
    }
}
