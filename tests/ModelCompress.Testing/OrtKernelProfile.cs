using System.Text.Json;
using Microsoft.ML.OnnxRuntime;

namespace ModelCompress.Testing;

/// <summary>
/// What ONNX Runtime actually ran for a model, read from its profiler (SessionOptions.EnableProfiling): per kernel op
/// type, how many nodes ran, how many of them read 8-bit integer inputs, and their mean time per run. The graph ORT
/// runs is the one after its QDQ fusions, so this tells which nodes became QLinearConv, QLinearAdd, int8 MaxPool...
/// </summary>
public sealed class OrtKernelProfile
{
    private OrtKernelProfile(IReadOnlyDictionary<string, OpKernelTotals> ops) => Ops = ops;

    /// <summary>Per op type (domain-free name as ORT reports it): nodes, nodes with 8-bit inputs, milliseconds per run.</summary>
    public IReadOnlyDictionary<string, OpKernelTotals> Ops { get; }

    /// <summary>Milliseconds per run over all kernels.</summary>
    public double TotalMilliseconds => Ops.Values.Sum(o => o.Milliseconds);

    /// <summary>Milliseconds per run in kernels that read no 8-bit input (float work; Q/DQ conversions excluded).</summary>
    public double FloatMilliseconds => Ops.Values.Sum(o => o.FloatMilliseconds);

    /// <summary>Runs <paramref name="modelPath"/> <paramref name="runs"/> times at one thread with the profiler on.</summary>
    public static OrtKernelProfile Measure(string modelPath, string inputName, Func<OrtValue> input, int runs)
    {
        var prefix = Path.Combine(Path.GetTempPath(), "mc-kernels-" + Guid.NewGuid().ToString("N"));
        string file;
        using (var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL })
        {
            options.EnableProfiling = true;
            options.ProfileOutputPathPrefix = prefix;
            using var session = new InferenceSession(modelPath, options);
            using var value = input();
            for (var i = 0; i < runs; i++)
            {
                using var o = session.Run(new RunOptions(), [inputName], [value], session.OutputNames);
            }

            file = session.EndProfiling();
        }

        try
        {
            return Parse(File.ReadAllText(file), runs);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static OrtKernelProfile Parse(string json, int runs)
    {
        var ops = new Dictionary<string, (HashSet<string> Nodes, HashSet<string> Int8, double Us, double FloatUs)>(StringComparer.Ordinal);
        using var doc = JsonDocument.Parse(json);
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            var name = e.GetProperty("name").GetString()!;
            if (e.GetProperty("cat").GetString() != "Node" || !name.EndsWith("_kernel_time", StringComparison.Ordinal)
                || !e.TryGetProperty("args", out var a) || !a.TryGetProperty("op_name", out var op))
            {
                continue;
            }

            var key = op.GetString()!;
            // Q/DQ convert between the two worlds: counted in neither the 8-bit nodes nor the float time.
            var conversion = key is "QuantizeLinear" or "DequantizeLinear" or "DynamicQuantizeLinear";
            var eightBit = !conversion && a.TryGetProperty("input_type_shape", out var inputs) && inputs.EnumerateArray()
                .SelectMany(i => i.EnumerateObject()).Take(1).Any(p => p.Name is "uint8" or "int8");
            if (!ops.TryGetValue(key, out var t))
            {
                t = ([], [], 0, 0);
            }

            t.Nodes.Add(name);
            if (eightBit)
            {
                t.Int8.Add(name);
            }

            var us = e.GetProperty("dur").GetDouble();
            ops[key] = (t.Nodes, t.Int8, t.Us + us, t.FloatUs + (eightBit || conversion ? 0 : us));
        }

        return new OrtKernelProfile(ops.ToDictionary(
            kv => kv.Key, kv => new OpKernelTotals(kv.Value.Nodes.Count, kv.Value.Int8.Count, kv.Value.Us / 1000.0 / runs, kv.Value.FloatUs / 1000.0 / runs),
            StringComparer.Ordinal));
    }

    /// <summary>How many nodes of <paramref name="op"/> ran (0 when none).</summary>
    public int Nodes(string op) => Ops.TryGetValue(op, out var t) ? t.Nodes : 0;

    /// <summary>How many nodes of <paramref name="op"/> ran on an 8-bit first input (0 when none).</summary>
    public int Int8Nodes(string op) => Ops.TryGetValue(op, out var t) ? t.Int8Nodes : 0;

    /// <summary>One line per op type, slowest first: nodes (8-bit ones), ms per run, share of the total.</summary>
    public IEnumerable<string> Lines()
    {
        var total = TotalMilliseconds;
        return Ops.OrderByDescending(o => o.Value.Milliseconds).Select(o => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{o.Key,-26} {o.Value.Nodes,4} nodes ({o.Value.Int8Nodes,3} int8) {o.Value.Milliseconds,8:F3} ms {100 * o.Value.Milliseconds / total,5:F1}%"));
    }
}
