using System.Diagnostics;
using System.Globalization;
using ModelCompress.Kernels;

namespace ModelCompress.Benchmarks;

/// <summary>
/// <c>gemm</c>: GOPS of every available int8 GEMM tier on transformer-sized shapes, 1 and 2 threads, next to ONNX
/// Runtime's MatMulInteger (MLAS) on the same shapes in the same run. Operations are 2·M·N·K per product; each cell
/// is the best of several timed repetitions after a warm-up (best rather than mean, because the machine is shared).
/// </summary>
internal sealed class GemmBench : IBenchCommand
{
    private static readonly int[] FullM = [1, 16, 128, 512];
    private static readonly (int K, int N)[] FullKn = [(768, 768), (768, 3072), (3072, 768), (4096, 4096)];

    public string Name => "gemm";

    public string Description => "int8 GEMM GOPS per tier vs ONNX Runtime MatMulInteger [--quick] [--tiers a,b] [--m 1,16] [--seconds s]";

    public int Run(string[] args)
    {
        var options = GemmBenchOptions.Parse(args);
        if (options is null)
        {
            Console.Error.WriteLine("usage: gemm [--quick] [--tiers avxvnni,avx2,vector128,scalar] [--m 1,16,128,512] [--kn 768x768,...] [--threads 1,2] [--seconds 0.5] [--no-ort] [--cpu-time]");
            return 2;
        }

        var kernels = Int8GemmKernelFactory.Available
            .Where(k => k.IsAccelerated || k.Tier == Int8GemmTier.Scalar)
            .Where(k => options.Tiers is null || options.Tiers.Contains(k.Name))
            .ToArray();
        Console.WriteLine($"int8 GEMM, uint8 A x int8 B -> int32; {Environment.ProcessorCount} logical cores; " +
                          $"active tier {Int8Gemm.ActiveTierName}; best of repetitions over >= {options.Seconds:0.##} s per cell" +
                          (options.CpuTime ? "; 1-thread cells timed by thread CPU time, 2-thread cells by wall time" : "; wall time"));
        Console.WriteLine($"tiers: {string.Join(", ", kernels.Select(k => k.Name))}; ONNX Runtime: {(options.Ort ? "MatMulInteger (MLAS)" : "off")}");
        Console.WriteLine();

        var best = kernels.FirstOrDefault(k => k.IsAccelerated);
        var header = new List<string> { "M", "K x N", "thr" };
        header.AddRange(kernels.Select(k => k.Name));
        if (options.Ort)
        {
            header.Add("ort");
            header.AddRange(kernels.Where(k => k.IsAccelerated).Select(k => k.Name + "/ort"));
        }

        if (best is not null && options.Threads.Length > 1)
        {
            // Scaling against the first thread count of the same row group, for our best tier and for ORT.
            header.Add(best.Name + " scaling");
            if (options.Ort)
            {
                header.Add("ort scaling");
            }
        }

        var table = new List<string[]> { header.ToArray() };
        var rng = new Random(1);
        int mismatches = 0;
        foreach (var (k, n) in options.Shapes)
        {
            var b = new sbyte[k * n];
            rng.NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(b.AsSpan()));
            var packed = Int8Gemm.Pack(b, k, n);
            using var ort = options.Ort ? GemmOrtBaseline.Create(b, k, n, options.Threads) : null;
            foreach (int m in options.M)
            {
                var a = new byte[m * k];
                rng.NextBytes(a);
                if (ort is not null && !SameAsOrt(ort, a, m, packed, options.Threads[0]))
                {
                    Console.Error.WriteLine($"MISMATCH: MatMulInteger and {Int8Gemm.ActiveTierName} differ at M={m} K={k} N={n}");
                    mismatches++;
                }

                Dictionary<string, double>? first = null;
                foreach (int threads in options.Threads)
                {
                    var gops = MeasureRow(kernels, ort, a, m, packed, threads, options);
                    first ??= gops;
                    var row = new List<string> { m.ToString(CultureInfo.InvariantCulture), $"{k}x{n}", threads.ToString(CultureInfo.InvariantCulture) };
                    row.AddRange(kernels.Select(kr => gops.TryGetValue(kr.Name, out var g) ? Format(g) : "-"));
                    if (options.Ort)
                    {
                        row.Add(Format(gops["ort"]));
                        row.AddRange(kernels.Where(kr => kr.IsAccelerated).Select(kr => Ratio(gops, kr.Name, gops, "ort")));
                    }

                    if (best is not null && options.Threads.Length > 1)
                    {
                        bool isFirst = ReferenceEquals(first, gops);
                        row.Add(isFirst ? "-" : Ratio(gops, best.Name, first, best.Name));
                        if (options.Ort)
                        {
                            row.Add(isFirst ? "-" : Ratio(gops, "ort", first, "ort"));
                        }
                    }

                    table.Add(row.ToArray());
                    Console.Error.WriteLine(string.Join(" ", row));
                }
            }
        }

        Console.WriteLine(MarkdownTable(table));
        if (mismatches > 0)
        {
            Console.Error.WriteLine($"{mismatches} products differed from ONNX Runtime's.");
            return 1;
        }

        if (options.Ort)
        {
            Console.WriteLine();
            Console.WriteLine("every product above was checked bit-identical to ONNX Runtime's MatMulInteger output");
        }

        return 0;
    }

    /// <summary>GOPS of every tier (the scalar one only on small products) and of ORT, on one row of the table.</summary>
    private static Dictionary<string, double> MeasureRow(
        Int8GemmKernel[] kernels, GemmOrtBaseline? ort, byte[] a, int m, PackedInt8Weights packed, int threads, GemmBenchOptions options)
    {
        double ops = 2.0 * m * packed.N * packed.K;
        bool cpu = options.CpuTime && threads == 1;
        var c = new int[m * packed.N];
        var gops = new Dictionary<string, double>();
        foreach (var kernel in kernels)
        {
            // The scalar tier is a reference, not a contender: time it on small products only.
            if (kernel.Tier != Int8GemmTier.Scalar || ops <= 2.0 * 128 * 768 * 768)
            {
                gops[kernel.Name] = ops / Time(() => Int8Gemm.Multiply(kernel, a, false, 0, m, packed, c, threads), options.Seconds, cpu) / 1e9;
            }
        }

        if (ort is not null)
        {
            gops["ort"] = ops / Time(() => ort.Run(threads, a, m, c), options.Seconds, cpu) / 1e9;
        }

        return gops;
    }

    /// <summary>Same operation, same bits: the comparison is only fair if ORT computes what we compute.</summary>
    private static bool SameAsOrt(GemmOrtBaseline ort, byte[] a, int m, PackedInt8Weights packed, int threads)
    {
        var ours = new int[m * packed.N];
        var theirs = new int[m * packed.N];
        Int8Gemm.Multiply(a, m, packed, ours, threads: 1);
        ort.Run(threads, a, m, theirs);
        return ours.AsSpan().SequenceEqual(theirs);
    }

    private static string Ratio(Dictionary<string, double> x, string xKey, Dictionary<string, double> y, string yKey) =>
        x.TryGetValue(xKey, out var a) && y.TryGetValue(yKey, out var b) ? (a / b).ToString("0.00", CultureInfo.InvariantCulture) : "-";

    /// <summary>
    /// Best seconds per call over repetitions filling at least <paramref name="budget"/> seconds; with
    /// <paramref name="threadCpu"/>, the calling thread's CPU time instead of wall time, which leaves out the time
    /// the thread was preempted (only meaningful for single-threaded work that runs on this thread, as ONNX Runtime
    /// does with intra_op_num_threads = 1).
    /// </summary>
    internal static double Time(Action action, double budget, bool threadCpu = false)
    {
        // Warm-up: a few calls or 20 ms, whichever is longer (caches, page faults, the pool's threads).
        var warm = Stopwatch.StartNew();
        for (int i = 0; i < 3 || warm.Elapsed.TotalSeconds < 0.02; i++)
        {
            action();
        }

        double best = double.MaxValue;
        var total = Stopwatch.StartNew();
        for (int reps = 0; reps < 3 || total.Elapsed.TotalSeconds < budget; reps++)
        {
            if (threadCpu)
            {
                double cpuStart = GemmThreadClock.Seconds();
                action();
                best = Math.Min(best, GemmThreadClock.Seconds() - cpuStart);
                continue;
            }

            long start = Stopwatch.GetTimestamp();
            action();
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }

        return best;
    }

    private static string Format(double gops) => gops.ToString(gops >= 100 ? "0" : "0.0", CultureInfo.InvariantCulture);

    private static string MarkdownTable(List<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
        var lines = new List<string>();
        string Line(string[] cells) => "| " + string.Join(" | ", cells.Select((c, i) => c.PadLeft(widths[i]))) + " |";
        lines.Add(Line(rows[0]));
        lines.Add("|" + string.Join("|", widths.Select(w => new string('-', w + 1) + ":")) + "|");
        lines.AddRange(rows.Skip(1).Select(Line));
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>Command-line options of <c>gemm</c>.</summary>
    private sealed record GemmBenchOptions(int[] M, (int K, int N)[] Shapes, int[] Threads, HashSet<string>? Tiers, double Seconds, bool Ort, bool CpuTime = false)
    {
        public static GemmBenchOptions? Parse(string[] args)
        {
            var o = new GemmBenchOptions(FullM, FullKn, [1, 2], null, 0.5, true);
            for (int i = 0; i < args.Length; i++)
            {
                string? Next() => i + 1 < args.Length ? args[++i] : null;
                int[]? Ints(string? s) => s?.Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();
                switch (args[i])
                {
                    case "--quick": o = o with { Seconds = 0.15, Shapes = [(768, 768), (768, 3072), (4096, 4096)], M = [1, 128, 512] }; break;
                    case "--no-ort": o = o with { Ort = false }; break;
                    case "--cpu-time": o = o with { CpuTime = GemmThreadClock.IsSupported }; break;
                    case "--m": o = o with { M = Ints(Next()) ?? FullM }; break;
                    case "--threads": o = o with { Threads = Ints(Next()) ?? [1, 2] }; break;
                    case "--tiers": o = o with { Tiers = Next()?.Split(',').ToHashSet(StringComparer.OrdinalIgnoreCase) }; break;
                    case "--seconds": o = o with { Seconds = double.Parse(Next() ?? "0.5", CultureInfo.InvariantCulture) }; break;
                    case "--kn": o = o with { Shapes = Next()?.Split(',').Select(s => s.Split('x')).Select(p => (int.Parse(p[0], CultureInfo.InvariantCulture), int.Parse(p[1], CultureInfo.InvariantCulture))).ToArray() ?? FullKn }; break;
                    default: return null;
                }
            }

            return o;
        }
    }
}
