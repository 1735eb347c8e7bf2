using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using ModelCompress.Onnx;

namespace ModelCompress.Benchmarks;

/// <summary>
/// Saves and loads a model whose weights exceed 2 GB (so they must live in external data), and reports time and the
/// process's peak working set after each phase, to show that neither save nor load holds the model in memory.
/// Usage: <c>external-data [total-GiB=2.25] [--ort] [--keep folder]</c>. With <c>--ort</c>, ONNX Runtime also loads the
/// saved model and one output is checked against a streamed reference product.
/// </summary>
internal sealed class ExternalDataBench : IBenchCommand
{
    private const int InputSize = 8192;
    private const int OutputSize = 8192; // one weight = 8192 × 8192 floats = 256 MiB

    public string Name => "external-data";

    public string Description => "save/load a >2 GB model through external data; time and peak working set";

    public int Run(string[] args)
    {
        var totalGiB = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal)
            ? double.Parse(args[0], CultureInfo.InvariantCulture)
            : 2.25;
        var runOrt = args.Contains("--ort");
        var keepIndex = Array.IndexOf(args, "--keep");
        var folder = keepIndex >= 0 ? args[keepIndex + 1] : Path.Combine(Path.GetTempPath(), "modelcompress-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var weights = (int)Math.Ceiling(totalGiB * 4); // 4 weights per GiB
        var rows = new List<(string Phase, double Seconds, string Detail)>();
        try
        {
            var path = Path.Combine(folder, "large.onnx");
            var sw = Stopwatch.StartNew();
            foreach (var t in SampleModels.LargeMatMuls(weights, InputSize, OutputSize, seed: 7).Graph.Initializers.Values)
            {
                t.CopyRawDataTo(Stream.Null);
            }

            rows.Add(("generate weights only (no I/O)", sw.Elapsed.TotalSeconds, "the generator's share of the save time"));
            sw.Restart();
            var model = SampleModels.LargeMatMuls(weights, InputSize, OutputSize, seed: 7);
            model.Save(path);
            var dataBytes = new FileInfo(path + ".data").Length;
            rows.Add(("save", sw.Elapsed.TotalSeconds, $"{weights} weights, model {new FileInfo(path).Length} B, data {Gib(dataBytes)} ({MiBps(dataBytes, sw.Elapsed)})"));
            var peakAfterSave = Peak();

            sw.Restart();
            var loaded = OnnxModel.Load(path);
            rows.Add(("load (lazy)", sw.Elapsed.TotalSeconds, $"{loaded.Graph.Initializers.Count} external tensors, none read"));

            sw.Restart();
            foreach (var t in loaded.Graph.Initializers.Values)
            {
                using var s = t.OpenRawDataStream();
                s.CopyTo(Stream.Null, 1 << 20);
            }

            rows.Add(("stream every tensor", sw.Elapsed.TotalSeconds, MiBps(new FileInfo(path + ".data").Length, sw.Elapsed)));

            sw.Restart();
            var expected = SampleModels.LargeMatMuls(weights, InputSize, OutputSize, seed: 7);
            var mismatches = 0;
            foreach (var (name, tensor) in loaded.Graph.Initializers)
            {
                if (!tensor.IsExternal || tensor.ComputeDataHash() != expected.Graph.Initializers[name].ComputeDataHash())
                {
                    mismatches++;
                }
            }

            rows.Add(("read back + verify", sw.Elapsed.TotalSeconds, $"SHA-256 of every tensor vs regenerated: {(mismatches == 0 ? "all equal" : mismatches + " differ")} ({MiBps(dataBytes, sw.Elapsed)})"));
            var peakAfterLoad = Peak();

            if (runOrt)
            {
                sw.Restart();
                var detail = CheckWithOrt(path, loaded);
                rows.Add(("onnxruntime session + run", sw.Elapsed.TotalSeconds, detail));
            }

            Console.WriteLine($"External data, {Gib(dataBytes)} of weights, machine: {Environment.ProcessorCount} cores, {RuntimeInfo()}");
            Console.WriteLine();
            Console.WriteLine("| phase | seconds | detail |");
            Console.WriteLine("|---|---:|---|");
            foreach (var (phase, seconds, detail) in rows)
            {
                Console.WriteLine(FormattableString.Invariant($"| {phase} | {seconds:F2} | {detail} |"));
            }

            Console.WriteLine();
            Console.WriteLine($"peak working set after save: {Mib(peakAfterSave)}; after load + verify: {Mib(peakAfterLoad)}; final: {Mib(Peak())}");
            return mismatches == 0 ? 0 : 1;
        }
        finally
        {
            if (keepIndex < 0)
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>Runs y0 = x · w0 in ONNX Runtime and compares with a product computed from the streamed weight.</summary>
    private static string CheckWithOrt(string path, OnnxModel loaded)
    {
        var x = new float[InputSize];
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = (i % 7) - 3;
        }

        using var session = new InferenceSession(path);
        using var input = OrtValue.CreateTensorValueFromMemory(x, [1, InputSize]);
        using var results = session.Run(new RunOptions(), ["x"], [input], ["y0"]);
        var y = results[0].GetTensorDataAsSpan<float>().ToArray();

        var reference = new double[OutputSize];
        var row = new byte[OutputSize * sizeof(float)];
        using (var s = loaded.Graph.Initializers["w0"].OpenRawDataStream())
        {
            for (var k = 0; k < InputSize; k++)
            {
                s.ReadExactly(row);
                var w = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(row);
                for (var j = 0; j < OutputSize; j++)
                {
                    reference[j] += x[k] * (double)w[j];
                }
            }
        }

        var maxErr = y.Select((v, j) => Math.Abs(v - reference[j])).Max();
        return FormattableString.Invariant($"y0 = x·w0: max abs difference to a streamed float64 reference {maxErr:E2}");
    }

    private static long Peak()
    {
        using var p = Process.GetCurrentProcess();
        p.Refresh();
        return p.PeakWorkingSet64;
    }

    private static string RuntimeInfo() => System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription;

    private static string Gib(long bytes) => FormattableString.Invariant($"{bytes / (double)(1L << 30):F2} GiB");

    private static string Mib(long bytes) => FormattableString.Invariant($"{bytes / (double)(1L << 20):F0} MiB");

    private static string MiBps(long bytes, TimeSpan t) => FormattableString.Invariant($"{bytes / (double)(1L << 20) / t.TotalSeconds:F0} MiB/s");
}
