using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using ModelCompress.Onnx;

namespace ModelCompress.Benchmarks.QuantEval;

/// <summary>ONNX Runtime helpers for the quantization evaluation: sessions from bytes, fused-op counts, latency.</summary>
internal static class OrtEval
{
    public static InferenceSession Session(byte[] model, int threads, string? optimizedPath = null)
    {
        using var options = EvalOrt.Options(threads);
        if (optimizedPath is not null)
        {
            options.OptimizedModelFilePath = optimizedPath;
        }

        return new InferenceSession(model, options);
    }

    /// <summary>The op types ONNX Runtime runs after its graph optimizations, with counts (shows which QDQ fusions fired).</summary>
    public static string FusedOps(byte[] model)
    {
        var path = Path.Combine(Path.GetTempPath(), "mc-opt-" + Guid.NewGuid().ToString("N") + ".onnx");
        try
        {
            using (Session(model, 1, path))
            {
            }

            var optimized = OnnxModel.Load(path);
            return string.Join(", ", optimized.Graph.Nodes.GroupBy(n => n.OpType).OrderByDescending(g => g.Count())
                .Select(g => $"{g.Key}×{g.Count()}"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// Median milliseconds per run of each model on the same input, single-threaded, runs interleaved round-robin so
    /// that machine load affects all models alike.
    /// </summary>
    public static double[] Latency(IReadOnlyList<byte[]> models, string inputName, OrtValue input, int rounds, int threads = 1)
    {
        var sessions = models.Select(m => Session(m, threads)).ToList();
        try
        {
            var times = sessions.Select(_ => new List<double>()).ToList();
            using var run = new RunOptions();
            for (var r = -3; r < rounds; r++)
            {
                for (var i = 0; i < sessions.Count; i++)
                {
                    var sw = Stopwatch.StartNew();
                    using var outputs = sessions[i].Run(run, [inputName], [input], sessions[i].OutputNames);
                    if (r >= 0)
                    {
                        times[i].Add(sw.Elapsed.TotalMilliseconds);
                    }
                }
            }

            return [.. times.Select(t => t.Order().ElementAt(t.Count / 2))];
        }
        finally
        {
            foreach (var s in sessions)
            {
                s.Dispose();
            }
        }
    }
}
