using Microsoft.ML.OnnxRuntime;

namespace ModelCompress.Benchmarks;

/// <summary>What every fixture's evaluation shares: options, the work folder, the output, and the common table rows.</summary>
internal sealed class EvalContext(EvalOptions options, string workDir, TextWriter output)
{
    public EvalOptions Options { get; } = options;

    public TextWriter Out { get; } = output;

    /// <summary>The targets, filled by each fixture and printed at the end.</summary>
    public EvalTargets Targets { get; } = new();

    /// <summary>The fixture's own work folder (created).</summary>
    public string FolderFor(string fixture)
    {
        var dir = Path.Combine(workDir, fixture);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>A progress line on stderr (the tables go to stdout).</summary>
    public static void Progress(string message) => Console.Error.WriteLine($"[eval {DateTime.Now:HH:mm:ss}] {message}");

    /// <summary>Our variants of <paramref name="source"/> made by the engine (weight-only left out with --no-weight-only).</summary>
    public List<EvalVariant> OurVariants(string fixture, string source, string? calibration, int samples)
    {
        var result = new List<EvalVariant>();
        var variants = Options.Suite switch
        {
            EvalPruneRecipes.Suite => EvalPruneRecipes.Variants,
            EvalObsRecipes.Suite => EvalObsRecipes.Variants,
            EvalStructured.Suite => EvalStructured.Variants,
            EvalConvRecipes.Suite => EvalConvRecipes.Variants,
            EvalConvPruneRecipes.Suite => EvalConvPruneRecipes.Variants,
            _ => Options.Variants is null ? EvalRecipes.Standard : [.. EvalRecipes.Standard, .. EvalRecipes.Optional],
        };
        foreach (var v in variants.Where(v => !(Options.NoWeightOnly && v.Slug == "w8") && (Options.Variants is null || Options.Variants.Contains(v.Slug))))
        {
            Progress($"{fixture}: compressing {v.Header}");
            result.Add(EvalRecipes.Make(FolderFor(fixture), v, source, calibration, samples, Options.Suite is EvalPruneRecipes.Suite or EvalConvPruneRecipes.Suite ? Path.Combine(FolderFor(fixture), "cache") : null));
        }

        return result;
    }

    /// <summary>The peer's models named in <paramref name="files"/> (file, header), when --peer-dir was given.</summary>
    public IEnumerable<EvalVariant> PeerVariants(params (string File, string Header)[] files) =>
        Options.PeerDir is { } dir ? files.Select(f => EvalVariant.Peer(dir, f.File, f.Header)) : [];

    /// <summary>File size and its ratio to fp32 (column 0); returns the ratio per column (null when unavailable).</summary>
    public static double?[] SizeRows(EvalTable table, IReadOnlyList<EvalVariant> columns)
    {
        var fp32 = new FileInfo(columns[0].Path!).Length;
        var ratios = columns.Select(c => c.Available ? new FileInfo(c.Path!).Length / (double)fp32 : (double?)null).ToArray();
        table.Row("size", i => EvalTable.Mb(new FileInfo(columns[i].Path!).Length));
        table.Row("size ratio vs fp32", i => EvalTable.F(ratios[i]!.Value, 3) + "×");
        return ratios;
    }

    /// <summary>Adds the size target (int8 ≤ 0.26× fp32) for our static int8 columns.</summary>
    public void SizeTargets(string fixture, IReadOnlyList<EvalVariant> columns, double?[] ratios) =>
        EvalTargets.ForEach(columns, EvalTargets.StaticInt8, (h, i) => Targets.Check(
            "int8 size ≤ 0.26× fp32", $"{fixture}: {h}", i < 0 ? null : ratios[i], r => r <= 0.26, r => EvalTable.F(r, 3) + "×"));

    /// <summary>
    /// ONNX Runtime latency at batch 1 with 1 and 2 intra-op threads, all available columns measured together
    /// (interleaved), reported as median ms and as fp32 ms / variant ms (column 0 is fp32).
    /// </summary>
    /// <returns>fp32 ms / variant ms with 1 thread per column (null when unavailable).</returns>
    public double?[] LatencyRows(EvalTable table, IReadOnlyList<EvalVariant> columns, string inputName, Func<OrtValue> input, string shape)
    {
        var available = columns.Select((c, i) => (c, i)).Where(x => x.c.Available).ToList();
        var speedUp1 = new double?[columns.Count];
        foreach (var threads in new[] { 1, 2 })
        {
            Progress($"latency, {threads} thread(s), {available.Count} models × {Options.LatencyRounds} rounds");
            var ms = EvalOrt.Latency([.. available.Select(x => x.c.Path!)], inputName, input, threads, Options.LatencyRounds);
            var byColumn = available.Select((x, k) => (x.i, ms[k])).ToDictionary(x => x.i, x => x.Item2);
            var fp32 = byColumn[0];
            var label = threads == 1 ? "1 thread" : "2 threads";
            table.Row($"ORT latency {shape}, {label}", i => EvalTable.F(byColumn[i], 2) + " ms");
            table.Row($"speed-up fp32/x, {label}", i => EvalTable.F(fp32 / byColumn[i], 2) + "×");
            if (threads == 1)
            {
                foreach (var (i, value) in byColumn)
                {
                    speedUp1[i] = fp32 / value;
                }
            }
        }

        return speedUp1;
    }
}
