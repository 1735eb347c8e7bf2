using ModelCompress.Engine;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Testing;
using ModelCompress.Tests.Engine;

namespace ModelCompress.Tests.Tuning;

/// <summary>
/// <c>tune:</c> on char-GPT with a perplexity bound that separates SmoothQuant from plain static int8. Measured on
/// this data (32 windows of 128 bytes of WikiText-2 test, calibration 32 windows of valid; `tune` benchmark, commit
/// 0d1183c): plain static int8 (per-channel minmax) raises perplexity by 0.069 %, SmoothQuant auto + static by 0.097 %,
/// SmoothQuant α = 0.5 by 0.083 %, dynamic by 0.072 %, weight-only by 0.044 %. A bound of 0.08 % therefore passes plain
/// static and rejects SmoothQuant auto. Both have the same expected size, so the tuner tries them in the listed order:
/// SmoothQuant auto first, which must fail, then plain static, which must be chosen.
/// </summary>
public sealed class CharGptTuningTests
{
    private const string Candidates = """
              objective: size
              candidates:
                - - smoothquant: { alpha: auto }
                  - quantize: { mode: static }
                - [ quantize: { mode: static } ]
        """;

    [Fact]
    public void A_perplexity_bound_rejects_SmoothQuant_auto_and_chooses_plain_static_int8()
    {
        using var p = new TestProject();
        p.WriteRecipe(TuneRecipes.CharGpt(Candidates, "            - { metric: perplexity, max_increase: 0.0008 }"));
        var sink = new ListDiagnosticSink();

        var result = ModelCompressEngine.Compress(p.LoadRecipe(), new CompressOptions(p.PathOf("out")), sink, CancellationToken.None);

        Assert.True(result.Succeeded, string.Join("\n", sink.Items));
        var tuning = result.Report.Models.Single().Tuning!;
        Assert.Equal(2, tuning.Trials.Count);
        var (smooth, plain) = (tuning.Trials[0], tuning.Trials[1]);
        Assert.Equal(1, smooth.Candidate);
        Assert.False(smooth.Passed);
        Assert.True(plain.Passed);
        Assert.Equal(2, tuning.Chosen);
        Assert.InRange(Assert.Single(smooth.Thresholds, o => o.Metric == "perplexity_increase").Value, 0.0008, 0.002);
        Assert.InRange(Assert.Single(plain.Thresholds, o => o.Metric == "perplexity_increase").Value, -0.002, 0.0008);
        Assert.True(result.Report.Models[0].Verification!.Passed);
    }
}
