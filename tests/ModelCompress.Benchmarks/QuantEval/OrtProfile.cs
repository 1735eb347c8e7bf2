using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;

namespace ModelCompress.Benchmarks.QuantEval;

/// <summary>Runs a model with ONNX Runtime's profiler and sums kernel time per op type (where int8 time goes).</summary>
internal static class OrtProfile
{
    public static string Summarize(byte[] model, string inputName, OrtValue input, int runs)
    {
        var prefix = Path.Combine(Path.GetTempPath(), "mc-prof-" + Guid.NewGuid().ToString("N"));
        string file;
        using (var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL })
        {
            options.EnableProfiling = true;
            options.ProfileOutputPathPrefix = prefix;
            using var session = new InferenceSession(model, options);
            using var run = new RunOptions();
            for (var i = 0; i < runs; i++)
            {
                using var o = session.Run(run, [inputName], [input], session.OutputNames);
            }

            file = session.EndProfiling();
        }

        var totals = new Dictionary<string, double>(StringComparer.Ordinal);
        using (var doc = JsonDocument.Parse(File.ReadAllText(file)))
        {
            foreach (var e in doc.RootElement.EnumerateArray())
            {
                if (e.GetProperty("cat").GetString() != "Node" || !e.TryGetProperty("args", out var a) || !a.TryGetProperty("op_name", out var op)
                    || !e.GetProperty("name").GetString()!.EndsWith("_kernel_time", StringComparison.Ordinal))
                {
                    continue;
                }

                var key = op.GetString()!;
                totals[key] = totals.GetValueOrDefault(key) + (e.GetProperty("dur").GetDouble() / 1000.0 / runs);
            }
        }

        File.Delete(file);
        var sum = totals.Values.Sum();
        return string.Join("\n", totals.OrderByDescending(t => t.Value)
            .Select(t => string.Create(CultureInfo.InvariantCulture, $"      {t.Key,-28} {t.Value,7:F2} ms  {100 * t.Value / sum,5:F1}%")))
            + string.Create(CultureInfo.InvariantCulture, $"\n      {"total",-28} {sum,7:F2} ms");
    }
}
