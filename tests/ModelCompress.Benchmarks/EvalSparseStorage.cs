using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using ModelCompress.Onnx;
using ModelCompress.Testing;

namespace ModelCompress.Benchmarks;

/// <summary>
/// <c>sparse-storage</c>: each pruning recipe run twice by the engine, with <c>storage: packed</c> (the default) and
/// <c>storage: dense</c>, on the fixtures of <see cref="EvalShareDistill"/>: file sizes against the fp32 source, the
/// packed file against the dense one, what ONNX sparse initializers (COO, int64 indices) of the same non-zeros would
/// take, whether ONNX Runtime gives the same output bytes, the latency and session-load time of both forms.
/// </summary>
internal sealed class EvalSparseStorage : IBenchCommand
{
    private const string SqInt8 = "      - smoothquant: { alpha: auto }\n"
        + "      - quantize: { mode: static, weights: int8, activations: uint8, per_channel: true, method: minmax }\n";

    private static readonly (string Name, string Prune, string After)[] Variants =
    [
        ("magnitude 50%", "      - prune: { method: magnitude, sparsity: 0.5{storage} }\n", string.Empty),
        ("nm 2:4", "      - prune: { method: nm, pattern: \"2:4\"{storage} }\n", string.Empty),
        ("nm 2:4 + SQ int8", "      - prune: { method: nm, pattern: \"2:4\"{storage} }\n", SqInt8),
        ("2:4 wanda + distill + SQ int8", "      - prune: { method: wanda, pattern: \"2:4\"{storage} }\n", "{distill}" + SqInt8),
    ];

    public string Name => "sparse-storage";

    public string Description => "packed vs dense storage of pruned weights: sizes, identical outputs, latency, load time (--models, --variants, --calib, --verify)";

    public int Run(string[] args)
    {
        var models = EvalShareDistill.Option(args, "--models", "mnist-8,stories260K,char-gpt").Split(',');
        var only = EvalShareDistill.Option(args, "--variants", string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries);
        var calib = int.Parse(EvalShareDistill.Option(args, "--calib", "16"), CultureInfo.InvariantCulture);
        var verify = int.Parse(EvalShareDistill.Option(args, "--verify", "8"), CultureInfo.InvariantCulture);
        var distill = "      - distill: { method: layerwise, teacher: source, rows: 1024, epochs: 4 }\n";
        var work = Directory.CreateTempSubdirectory("mc-sparse-storage-").FullName;
        Console.WriteLine($"calibration {calib} samples, verification {verify} samples; work folder {work}");
        Console.WriteLine();
        Console.WriteLine("| fixture | variant | metric fp32 | metric | dense vs fp32 | packed vs fp32 | packed / dense | COO int64 / dense tensors | same outputs | latency packed / dense | packed / fp32 | load ms dense / packed |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|");
        foreach (var model in models)
        {
            var (source, head) = EvalShareDistill.Fixture(model, work, calib, verify);
            foreach (var (name, prune, after) in Variants.Where(v => only.Length == 0 || only.Contains(v.Name)))
            {
                var steps = prune + after.Replace("{distill}", distill, StringComparison.Ordinal);
                var packed = EvalShareDistill.Make(work, model, name + " packed", head + steps.Replace("{storage}", string.Empty, StringComparison.Ordinal));
                var dense = EvalShareDistill.Make(work, model, name + " dense", head + steps.Replace("{storage}", ", storage: dense", StringComparison.Ordinal));
                if (packed.Output is null || dense.Output is null)
                {
                    continue;
                }

                var (cooBytes, denseTensorBytes) = CooEstimate(packed.Output);
                var same = SameOutputs(dense.Output, packed.Output, model);
                var vsDense = EvalShareDistill.Latency(dense.Output, packed.Output, model);
                var vsFp32 = EvalShareDistill.Latency(source, packed.Output, model);
                var (loadDense, loadPacked) = (LoadMs(dense.Output), LoadMs(packed.Output));
                var coo = denseTensorBytes == 0 ? "–" : FormattableString.Invariant($"{(double)cooBytes / denseTensorBytes:F3}");
                Console.WriteLine(FormattableString.Invariant(
                    $"| {model} | {name} | {packed.Reference:F4} | {packed.Metric:F4} | {dense.Size:F3} | {packed.Size:F3} | {packed.Size / dense.Size:F3} | {coo} | {(same ? "yes" : "NO")} | {vsDense:F2}× | {vsFp32:F2}× | {loadDense:F0} / {loadPacked:F0} |"));
            }
        }

        return 0;
    }

    /// <summary>
    /// The bytes ONNX sparse initializers (COO: the non-zero values and one int64 flat index each) would take for the
    /// tensors the packed model stores packed, and those tensors' dense bytes; read from the packed graph (each packed
    /// tensor's values initializer feeds a Gather whose output a Reshape gives the dense shape).
    /// </summary>
    private static (long Coo, long Dense) CooEstimate(string packedPath)
    {
        long coo = 0, dense = 0;
        var graph = OnnxModel.Load(packedPath).Graph;
        foreach (var gather in graph.Nodes.Where(n => n.OpType == "Gather" && n.Inputs[0].EndsWith("_nz", StringComparison.Ordinal)))
        {
            if (graph.Initializers.TryGetValue(gather.Inputs[0], out var values))
            {
                var width = TensorDataTypes.BitsPerElement(values.DataType) / 8;
                var reshape = graph.GetConsumers(gather.Outputs[0])[0];
                var count = graph.Initializers[reshape.Inputs[1]].ToInt64Array().Aggregate(1L, (a, b) => a * b);
                coo += (values.ElementCount - 1) * (width + 8);
                dense += count * width;
            }
        }

        return (coo, dense);
    }

    private static bool SameOutputs(string dense, string packed, string model)
    {
        var name = EvalOrt.InputName(dense);
        var input = model == "mnist-8"
            ? OrtInput.Float(name, [.. Enumerable.Range(0, 784).Select(i => (i % 17) / 17f)], 1, 1, 28, 28)
            : OrtInput.Int64(name, [.. Enumerable.Range(0, 128).Select(i => (long)(i % 200) + 1)], 1, 128);
        return OrtRun.Run(dense, input).Select(o => o.RawBytes).SequenceEqual(OrtRun.Run(packed, input).Select(o => o.RawBytes), new BytesEqual());
    }

    /// <summary>Median of 3 session creations (graph optimizations, where the packed weights are rebuilt and folded).</summary>
    private static double LoadMs(string path)
    {
        var times = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            var clock = Stopwatch.StartNew();
            using (EvalOrt.Session(path, 1))
            {
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        times.Sort();
        return times[1];
    }

    private sealed class BytesEqual : IEqualityComparer<byte[]>
    {
        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => obj.Length;
    }
}
