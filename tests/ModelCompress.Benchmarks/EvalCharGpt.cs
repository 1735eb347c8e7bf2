using ModelCompress.Data;
using ModelCompress.Testing;

namespace ModelCompress.Benchmarks;

/// <summary>
/// char-gpt (byte-level GPT, 6 layers, d 384) on WikiText-2 test: the first 200,000 bytes as 1,562 non-overlapping
/// windows of 128 (199,936 predictions), scored as tools/ort_peer.py's <c>lm_eval</c> (batches of 64 windows).
/// Calibration is the peer's: 64 windows of 128 bytes of WikiText-2 valid.txt at the offsets
/// <c>np.random.default_rng(1234).integers(0, int(len(valid)·0.95) − 129, 64)</c>, rebuilt with
/// <see cref="EvalNumpyRandom"/> and handed to the engine as an .npy of shape [64, 128] (all rows, in order).
/// </summary>
internal sealed class EvalCharGpt : IEvalFixture
{
    private const int SeqLen = 128;
    private const int TestBytes = 200_000;
    private const int CalibrationWindows = 64;
    private const int QuickWindows = 128;
    private const int QuickOodWindows = 256;

    public string Name => "char-gpt";

    public void Run(EvalContext context)
    {
        var o = context.Options;
        var fp32 = Fixtures.Require("models/char-gpt/char-gpt-6l384.onnx");
        var folder = context.FolderFor(Name);
        var (calibration, offsets) = WriteCalibration(folder);

        var test = File.ReadAllBytes(Fixtures.Require("data/wikitext-2/test.txt")).AsSpan(0, TestBytes).ToArray().Select(b => (int)b).ToArray();
        var starts = EvalLanguageModel.ConsecutiveStarts(test.Length, SeqLen, o.Quick ? QuickWindows : null);
        var lm = new EvalLanguageModel(test, starts, SeqLen, batch: 64);
        var (oodBytes, oodDetail) = EvalOodText.Load();
        var ood = oodBytes is null ? null : new EvalLanguageModel([.. oodBytes.Select(b => (int)b)], OodStarts(oodBytes.Length, o.Quick), SeqLen, batch: 64);

        var columns = new List<EvalVariant> { EvalVariant.Fp32(fp32) };
        columns.AddRange(context.OurVariants(Name, fp32, calibration, CalibrationWindows));
        columns.AddRange(context.PeerVariants(
            ("gpt-dynamic.onnx", "peer dynamic"),
            ("gpt-qdq_minmax_pc.onnx", "peer QDQ pc"),
            ("gpt-qdq_minmax_pc_s8act.onnx", "peer QDQ pc s8act")));

        var results = new EvalLmResult?[columns.Count];
        var oodResults = new EvalLmResult?[columns.Count];
        for (var i = 0; i < columns.Count; i++)
        {
            if (columns[i].Available)
            {
                EvalContext.Progress($"{Name}: scoring {columns[i].Header} on {lm.Windows} windows (+ {ood?.Windows ?? 0} out-of-domain)");
                using var session = EvalOrt.Session(columns[i].Path!, o.EvalThreads);
                results[i] = lm.Evaluate(session, i == 0 ? null : results[0]!.Argmax);
                oodResults[i] = ood?.Evaluate(session, i == 0 ? null : oodResults[0]!.Argmax);
            }
        }

        var r0 = results[0]!;
        var table = new EvalTable(
            $"char-gpt — WikiText-2 test, first {TestBytes:N0} bytes, {lm.Windows:N0} windows of {SeqLen} ({lm.Predictions:N0} predictions)",
            columns);
        table.Row("perplexity per byte", i => EvalTable.F(results[i]!.Perplexity, 4));
        table.Row("Δ perplexity vs fp32", i => i == 0 ? null : EvalTable.DeltaPercent(results[i]!.Perplexity, r0.Perplexity));
        table.Row("next-byte top-1", i => EvalTable.F(results[i]!.Top1, 4));
        table.Row("top-1 agreement with fp32", i => i == 0 ? null : EvalTable.F(results[i]!.Agreement!.Value, 4));
        if (ood is not null)
        {
            table.Row($"out-of-domain ({ood.Windows:N0} windows): perplexity per byte", i => EvalTable.F(oodResults[i]!.Perplexity, 4));
            table.Row("out-of-domain: Δ perplexity vs fp32", i => i == 0 ? null : EvalTable.DeltaPercent(oodResults[i]!.Perplexity, oodResults[0]!.Perplexity));
            table.Row("out-of-domain: top-1 agreement with fp32", i => i == 0 ? null : EvalTable.F(oodResults[i]!.Agreement!.Value, 4));
        }

        var sizes = EvalContext.SizeRows(table, columns);
        var speedUp = context.LatencyRows(table, columns, "input_ids", lm.FirstWindow, "[1,128]");
        AddTargets(context, columns, results, sizes, speedUp);
        AddOodTargets(context.Targets, columns, oodResults);
        table.Note($"out-of-domain text: {EvalOodText.Label}; {oodDetail}");
        table.Note($"calibration (ours and the peer's): {CalibrationWindows} windows of {SeqLen} bytes of wikitext-2/valid.txt at NumPy " +
            $"default_rng(1234) offsets [{EvalNumpyRandom.Preview(offsets)}] (port checked against NumPy's documented outputs); written to calib.npy [64,128] int64");
        if (!o.Quick)
        {
            var reproduced = Math.Abs(r0.Perplexity - 3.575) < 0.0005 && Math.Abs(r0.Top1 - 0.6312) < 0.00005;
            table.Note($"fp32 reference (fixture README: ppl 3.575, top-1 0.6312): {(reproduced ? "reproduced" : "NOT reproduced")} " +
                $"({EvalTable.F(r0.Perplexity, 4)} / {EvalTable.F(r0.Top1, 4)})");
        }

        foreach (var note in EvalPeerJson.Notes(o.PeerDir, "char-gpt"))
        {
            table.Note(note);
        }

        table.Print(context.Out);
    }

    private void AddTargets(EvalContext context, List<EvalVariant> columns, EvalLmResult?[] results, double?[] sizes, double?[] speedUp)
    {
        var t = context.Targets;
        var fp32 = results[0]!.Perplexity;
        context.SizeTargets(Name, columns, sizes);
        EvalTargets.ForEach(columns, EvalTargets.SmoothQuant, (h, i) =>
        {
            t.Check("char-gpt static SmoothQuant int8: perplexity increase ≤ 0.03%", h,
                i < 0 ? null : (results[i]!.Perplexity - fp32) / fp32 * 100, d => d <= 0.03, d => EvalTable.F(d, 3) + "%");
            t.Check("char-gpt static SmoothQuant int8: top-1 agreement ≥ 0.99", h,
                i < 0 ? null : results[i]!.Agreement, a => a >= 0.99, a => EvalTable.F(a, 4));
        });
        EvalTargets.ForEach(columns, EvalTargets.StaticInt8, (h, i) => t.Check(
            "ORT latency fp32/int8 ≥ 2.8× (batch 1, seq 128, 1 thread)", $"char-gpt: {h}",
            i < 0 ? null : speedUp[i], r => r >= 2.8, r => EvalTable.F(r, 2) + "×"));
        t.AutoVsHalf(Name, "perplexity", columns, i => results[i]!.Perplexity, higherIsBetter: false, v => EvalTable.F(v, 4));
    }

    /// <summary>Every window of the out-of-domain text; with --quick, <see cref="QuickOodWindows"/> of them spread evenly over it (all of its texts).</summary>
    private static int[] OodStarts(int length, bool quick)
    {
        var all = EvalLanguageModel.ConsecutiveStarts(length, SeqLen);
        return quick && all.Length > QuickOodWindows ? [.. Enumerable.Range(0, QuickOodWindows).Select(i => all[(int)((long)i * all.Length / QuickOodWindows)])] : all;
    }

    /// <summary>Issue 13: SmoothQuant auto at least as faithful as plain static minmax on text outside the calibration domain.</summary>
    private static void AddOodTargets(EvalTargets t, List<EvalVariant> columns, EvalLmResult?[] ood)
    {
        var minmax = EvalTargets.Index(columns, "int8 minmax");
        var auto = EvalTargets.Index(columns, "SQ auto");
        double? Agreement(int i) => i < 0 ? null : ood[i]?.Agreement;
        var reference = Agreement(minmax);
        t.Check("char-gpt SQ auto: out-of-domain top-1 agreement ≥ int8 minmax's", "SQ auto",
            reference is null ? null : Agreement(auto), a => a >= reference!.Value, a => $"{EvalTable.F(a, 4)} vs {EvalTable.F(reference!.Value, 4)}");
    }

    /// <summary>The peer's calibration windows as calib.npy ([64, 128] int64) and their offsets.</summary>
    private static (string Path, long[] Offsets) WriteCalibration(string folder)
    {
        var valid = File.ReadAllBytes(Fixtures.Require("data/wikitext-2/valid.txt"));
        // ort_peer.py: rng.integers(0, int(len(valid) * 0.95) - 129, 64), in Python float arithmetic.
        var high = (long)(valid.Length * 0.95) - 129;
        var offsets = new EvalNumpyRandom(1234).Integers(0, high, CalibrationWindows);
        var data = new long[CalibrationWindows * SeqLen];
        for (var w = 0; w < CalibrationWindows; w++)
        {
            for (var t = 0; t < SeqLen; t++)
            {
                data[(w * SeqLen) + t] = valid[offsets[w] + t];
            }
        }

        var path = Path.Combine(folder, "calib.npy");
        NpyWriter.WriteFile(path, NdArray.FromInt64(data, CalibrationWindows, SeqLen));
        return (path, offsets);
    }
}
