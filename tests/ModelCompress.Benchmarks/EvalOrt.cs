using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;

namespace ModelCompress.Benchmarks;

/// <summary>ONNX Runtime sessions and latency for the evaluation, configured like the peer's script (CPU, sequential).</summary>
internal static class EvalOrt
{
    /// <summary>A CPU session with all graph optimizations (ORT's default), <paramref name="threads"/> intra-op threads.</summary>
    public static InferenceSession Session(string path, int threads)
    {
        using var options = Options(threads);
        return new InferenceSession(path, options);
    }

    /// <summary>The evaluation's session options (the caller disposes them).</summary>
    public static SessionOptions Options(int threads) => new()
    {
        IntraOpNumThreads = threads,
        InterOpNumThreads = 1,
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
    };

    /// <summary>Runs one input and returns the first output as floats with its shape.</summary>
    public static (float[] Data, long[] Shape) RunFirst(InferenceSession session, string inputName, OrtValue input)
    {
        using var run = new RunOptions();
        using var outputs = session.Run(run, [inputName], [input], [session.OutputNames[0]]);
        var info = outputs[0].GetTensorTypeAndShape();
        return (outputs[0].GetTensorDataAsSpan<float>().ToArray(), info.Shape);
    }

    /// <summary>
    /// Median milliseconds per run of each model on the same input with <paramref name="threads"/> intra-op threads.
    /// The models run round-robin, one run each per round after 3 warm-up rounds, so that load from other processes on
    /// the shared machine falls on all of them alike; the ratios are what the tables report.
    /// </summary>
    public static double[] Latency(IReadOnlyList<string> paths, string inputName, Func<OrtValue> input, int threads, int rounds)
    {
        var sessions = paths.Select(p => Session(p, threads)).ToList();
        try
        {
            using var value = input();
            using var run = new RunOptions();
            var times = paths.Select(_ => new List<double>(rounds)).ToList();
            for (var r = -3; r < rounds; r++)
            {
                for (var i = 0; i < sessions.Count; i++)
                {
                    var sw = Stopwatch.StartNew();
                    using var outputs = sessions[i].Run(run, [inputName], [value], [sessions[i].OutputNames[0]]);
                    sw.Stop();
                    if (r >= 0)
                    {
                        times[i].Add(sw.Elapsed.TotalMilliseconds);
                    }
                }
            }

            return [.. times.Select(Median)];
        }
        finally
        {
            foreach (var s in sessions)
            {
                s.Dispose();
            }
        }
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        var n = values.Count;
        return n % 2 == 1 ? values[n / 2] : (values[(n / 2) - 1] + values[n / 2]) / 2;
    }

    /// <summary>The first input's name of a model.</summary>
    public static string InputName(string path)
    {
        using var s = Session(path, 1);
        return s.InputNames[0];
    }
}
