using System.Diagnostics;
using ModelCompress.Data;
using ModelCompress.Recipe;

namespace ModelCompress.Verification;

/// <summary>
/// The latency a tuning trial reports: ONNX Runtime on the CPU provider, one intra-op thread (as verification runs),
/// batch as the verify data gives it. One warm-up run, then the median of <c>rounds</c> runs over the first samples,
/// so a single slow run (another process on the machine) does not decide the number.
/// </summary>
internal static class LatencyProbe
{
    /// <summary>The median milliseconds of one run of <paramref name="modelPath"/> on a verify sample.</summary>
    public static double MedianMilliseconds(string modelPath, string displayName, DataSource data, int rounds, CancellationToken ct)
    {
        using var runner = new OrtModelRunner(modelPath, displayName);
        var samples = DataFileReader.ReadSamples(data, runner.Inputs, Math.Max(1, Math.Min(rounds, 4)));
        if (samples.Count == 0)
        {
            return double.NaN;
        }

        runner.RunPrimary(samples.GetSample(0), ct);
        var times = new double[rounds];
        var clock = new Stopwatch();
        for (var i = 0; i < rounds; i++)
        {
            var sample = samples.GetSample(i % samples.Count);
            clock.Restart();
            runner.RunPrimary(sample, ct);
            times[i] = clock.Elapsed.TotalMilliseconds;
        }

        Array.Sort(times);
        return Math.Round(rounds % 2 == 1 ? times[rounds / 2] : (times[(rounds / 2) - 1] + times[rounds / 2]) / 2, 4);
    }
}
