using ModelCompress.Engine;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Testing;
using ModelCompress.Tests.Engine;

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
        var sink = new ListDiagnosticSink();

        var result = ModelCompressEngine.Compress(p.LoadRecipe(), new CompressOptions(p.PathOf("out")), sink, CancellationToken.None);

        Assert.True(result.Succeeded, string.Join("\n", sink.Items));
        var tuning = result.Report.Models.Single().Tuning!;
        Assert.Equal(2, tuning.Trials.Count);
        var (first, second) = (tuning.Trials[0], tuning.Trials[1]);
        Assert.Equal(2, first.Candidate);
        Assert.False(first.Passed);
        Assert.True(second.Passed);
        Assert.Equal(1, tuning.Chosen);
        Assert.True(first.OutputBytes < second.OutputBytes, $"static {first.OutputBytes} B vs dynamic {second.OutputBytes} B");
        Assert.InRange(Assert.Single(first.Thresholds, o => o.Metric == "top1_agreement").Value, 0.85, 0.985);
        Assert.True(result.Report.Models[0].Verification!.Passed);
    }
}
