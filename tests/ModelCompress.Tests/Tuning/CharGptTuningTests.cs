using ModelCompress.Testing;

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
        var (smooth, plain) = TuneFixtureRun.RejectThenChoose(p, rejected: 1, chosen: 2);

        Assert.InRange(TuneFixtureRun.Measured(smooth, "perplexity_increase"), 0.0008, 0.002);
        Assert.InRange(TuneFixtureRun.Measured(plain, "perplexity_increase"), -0.002, 0.0008);
    }
}
