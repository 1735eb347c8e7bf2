using ModelCompress.Testing;

namespace ModelCompress.Tests.Tuning;

/// <summary>
/// <c>tune:</c> on the PP-OCRv4 recognizer with a per-time-step argmax agreement bound: static int8 quantizes its Conv
/// weights and activations and agrees with fp32 on about 0.94–0.96 of the time steps of MNIST digit lines, dynamic
/// int8 quantizes only its MatMuls and agrees on about 0.997 (docs/benchmarks.md, "Static int8 for conv nets"). With
/// the size objective the smaller static model is tried first; a bound of 0.985 must reject it and choose dynamic.
/// </summary>
public sealed class OcrTuningTests
{
    private const string Candidates = """
              objective: size
              candidates:
                - [ quantize: { mode: dynamic } ]
                - [ quantize: { mode: static } ]
        """;

    [Fact]
    public void An_agreement_bound_rejects_static_int8_and_chooses_dynamic()
    {
        using var p = new TestProject();
        p.WriteRecipe(TuneRecipes.OcrRec(p, Candidates, "            - { metric: top1_agreement, min: 0.985 }", calibration: 8, verify: 8));
        var (statik, dynamic) = TuneFixtureRun.RejectThenChoose(p, rejected: 2, chosen: 1);

        Assert.True(statik.OutputBytes < dynamic.OutputBytes, $"static {statik.OutputBytes} B vs dynamic {dynamic.OutputBytes} B");
        Assert.InRange(TuneFixtureRun.Measured(statik, "top1_agreement"), 0.85, 0.985);
    }
}
