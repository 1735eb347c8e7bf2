using ModelCompress.Onnx;
using ModelCompress.Testing;

namespace ModelCompress.Tests.Sharing;

/// <summary>char-GPT's first block through int8 and low-rank compression and layer-wise distillation, kept short.</summary>
public sealed class CharGptDistillTests
{
    // Only the first block is compressed, so the test stays a few seconds on a shared machine.
    private const string Later = "exclude: [\"re:^/(blocks\\\\.[1-5]|lm_head)/\"]";

    [Fact]
    public void Int8_weights_distilled_on_two_windows_fit_the_teacher_better_and_stay_on_the_int8_grid()
    {
        using var p = new TestProject();
        var (report, _) = ShareDistillRun.Run(p, ShareDistillRun.CharGptModel(
            $"      - quantize: {{ mode: weight_only, weights: int8, per_channel: true, {Later} }}\n" +
            "      - distill: { method: layerwise, teacher: source, rows: 256, epochs: 2, learning_rate: 0.0001 }",
            calibrationSamples: 2, verifySamples: 2));

        Assert.Equal(4, report.Steps[0].Layers.Count);
        var fits = report.Steps[1].Layers;
        Assert.Equal(report.Steps[0].Layers.Select(l => l.Name), fits.Select(l => l.Name));
        Assert.All(fits, l => Assert.True(After(l.Note!) < Before(l.Note!), l.Note));
        Assert.True(report.Verification!.Metrics.Top1Agreement > 0.98, $"top-1 agreement {report.Verification.Metrics.Top1Agreement}");
        var output = OnnxModel.Load(p.PathOf("out/gpt.onnx"));
        Assert.Equal(4, output.Graph.Initializers.Values.Count(t => t.DataType == TensorDataType.Int8 && t.Name.EndsWith("_distilled", StringComparison.Ordinal)));
    }

    [Fact]
    public void Low_rank_factors_refitted_by_distillation_fit_the_teacher_better()
    {
        using var p = new TestProject();
        var (report, _) = ShareDistillRun.Run(p, ShareDistillRun.CharGptModel(
            $"      - share: {{ method: lowrank, rank: 64, {Later} }}\n" +
            "      - distill: { method: layerwise, teacher: source, rows: 256, epochs: 2 }",
            calibrationSamples: 2, verifySamples: 2));

        Assert.All(report.Steps[0].Layers, l => Assert.StartsWith("rank 64 of", l.Note, StringComparison.Ordinal));
        var fits = report.Steps[1].Layers;
        Assert.Equal(4, fits.Count);
        Assert.All(fits, l => Assert.StartsWith("lowrank: MSE", l.Note, StringComparison.Ordinal));
        Assert.All(fits, l => Assert.True(After(l.Note!) < Before(l.Note!), l.Note));
    }

    private static double Before(string note) => Number(note, 0);

    private static double After(string note) => Number(note, 1);

    private static double Number(string note, int which)
    {
        var parts = note[(note.IndexOf("output ", StringComparison.Ordinal) + 7)..].Split(" -> ");
        return double.Parse(parts[which], System.Globalization.CultureInfo.InvariantCulture);
    }
}
