using ModelCompress.Engine;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Reports;
using ModelCompress.Testing;

namespace ModelCompress.Tests.Tuning;

/// <summary>The shape the two-candidate fixture tests share: the first candidate tried is rejected, the second chosen.</summary>
internal static class TuneFixtureRun
{
    /// <summary>
    /// Runs the engine on <paramref name="p"/>'s recipe (no cache) and checks that exactly two trials ran, candidate
    /// <paramref name="rejected"/> first and failing, then candidate <paramref name="chosen"/> passing and chosen, and
    /// that the build's own gate passes; returns the two trials.
    /// </summary>
    public static (TuneTrial Rejected, TuneTrial Chosen) RejectThenChoose(TestProject p, int rejected, int chosen)
    {
        var sink = new ListDiagnosticSink();
        var result = ModelCompressEngine.Compress(p.LoadRecipe(), new CompressOptions(p.PathOf("out")), sink, CancellationToken.None);

        Assert.True(result.Succeeded, string.Join("\n", sink.Items));
        var tuning = result.Report.Models.Single().Tuning!;
        Assert.Equal(2, tuning.Trials.Count);
        var (first, second) = (tuning.Trials[0], tuning.Trials[1]);
        Assert.Equal(rejected, first.Candidate);
        Assert.False(first.Passed);
        Assert.Equal(chosen, second.Candidate);
        Assert.True(second.Passed);
        Assert.Equal(chosen, tuning.Chosen);
        Assert.True(result.Report.Models[0].Verification!.Passed);
        return (first, second);
    }

    /// <summary>The value a trial measured for <paramref name="metric"/>.</summary>
    public static double Measured(TuneTrial trial, string metric) => Assert.Single(trial.Thresholds, o => o.Metric == metric).Value;
}
