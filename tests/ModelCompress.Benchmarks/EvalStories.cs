using ModelCompress.Data;
using ModelCompress.Importers;
using ModelCompress.Onnx;
using ModelCompress.Testing;
using ModelCompress.Text;

namespace ModelCompress.Benchmarks;

/// <summary>
/// stories260K (llama2.c checkpoint, imported to fp32 ONNX by <see cref="Llama2cImporter"/>), tokenized with tok512.bin
/// (<see cref="Llama2cTokenizer"/>, run.c's encoding). Three measurements against fp32:
/// <list type="bullet">
/// <item>TinyShakespeare: the paragraphs (split at blank lines) that end within the first 200,000 bytes, each
/// encoded as llama2.c's pretokenizer does for a story (BOS, then the stripped text) and concatenated; non-overlapping
/// windows of the model's context (512) scored like char-gpt (<see cref="EvalLanguageModel"/>);</item>
/// <item>the golden greedy text (greedy-once-upon-a-time.txt, run.c's output) encoded with BOS, one window;</item>
/// <item>greedy generation of 200 steps from "Once upon a time" with each model: tokens equal to fp32's before the
/// first difference.</item>
/// </list>
/// Calibration: 32 windows of 512 tokens from the paragraphs after the first 200,000 bytes (disjoint from the
/// evaluation), at offsets drawn with NumPy's default_rng(1234) like the peer's char-gpt windows; calib.npy [32, 512].
/// </summary>
internal sealed class EvalStories : IEvalFixture
{
    private const int EvalBytes = 200_000;
    private const int CalibrationBytes = 200_000;
    private const int CalibrationWindows = 32;
    private const int QuickWindows = 8;
    private const string Prompt = "Once upon a time";
    private const int GreedySteps = 200;

    public string Name => "stories260K";

    public void Run(EvalContext context)
    {
        var o = context.Options;
        var folder = context.FolderFor(Name);
        var checkpoint = Fixtures.Require("models/stories260K/stories260K.bin");
        var tokenizerPath = Fixtures.Require("models/stories260K/tok512.bin");
        var fp32 = Path.Combine(folder, "stories260K.onnx");
        Llama2cImporter.ImportToFile(checkpoint, fp32, tokenizerPath);
        var tokenizer = Llama2cTokenizer.Load(tokenizerPath);
        var context512 = Llama2cCheckpoint.ReadConfig(checkpoint).SeqLen;

        var text = File.ReadAllText(Fixtures.Require("data/tinyshakespeare/input.txt"));
        var (evalTokens, calibTokens) = Streams(text, tokenizer);
        var calibration = WriteCalibration(folder, calibTokens, context512, out var offsets);
        var shakespeare = new EvalLanguageModel(evalTokens, EvalLanguageModel.ConsecutiveStarts(evalTokens.Length, context512, o.Quick ? QuickWindows : null), context512, batch: 8);
        var golden = File.ReadAllText(Fixtures.Require("models/stories260K/greedy-once-upon-a-time.txt")).TrimEnd('\n');
        var goldenTokens = tokenizer.Encode(golden, bos: true, eos: false);
        var own = new EvalLanguageModel(goldenTokens, [0], goldenTokens.Length - 1, batch: 1);

        var columns = new List<EvalVariant> { EvalVariant.Fp32(fp32) };
        columns.AddRange(context.OurVariants(Name, fp32, calibration, CalibrationWindows));
        var onShakespeare = new EvalLmResult?[columns.Count];
        var onOwn = new EvalLmResult?[columns.Count];
        var greedy = new GenerationResult?[columns.Count];
        for (var i = 0; i < columns.Count; i++)
        {
            if (!columns[i].Available)
            {
                continue;
            }

            EvalContext.Progress($"{Name}: scoring {columns[i].Header} on {shakespeare.Windows} windows + the greedy text");
            using (var session = EvalOrt.Session(columns[i].Path!, o.EvalThreads))
            {
                onShakespeare[i] = shakespeare.Evaluate(session, i == 0 ? null : onShakespeare[0]!.Argmax);
                onOwn[i] = own.Evaluate(session, i == 0 ? null : onOwn[0]!.Argmax);
            }

            using var generator = new GreedyGenerator(OnnxModel.Load(columns[i].Path!), tokenizer);
            greedy[i] = generator.Generate(Prompt, GreedySteps);
        }

        var table = new EvalTable(
            $"stories260K — TinyShakespeare ({shakespeare.Windows} windows of {context512} tokens, {shakespeare.Predictions:N0} predictions) and its own greedy text ({own.Predictions} predictions)",
            columns);
        table.Row("TinyShakespeare perplexity per token", i => EvalTable.F(onShakespeare[i]!.Perplexity, 3));
        table.Row("Δ perplexity vs fp32", i => i == 0 ? null : EvalTable.DeltaPercent(onShakespeare[i]!.Perplexity, onShakespeare[0]!.Perplexity));
        table.Row("TinyShakespeare next-token top-1", i => EvalTable.F(onShakespeare[i]!.Top1, 4));
        table.Row("TinyShakespeare top-1 agreement with fp32", i => i == 0 ? null : EvalTable.F(onShakespeare[i]!.Agreement!.Value, 4));
        table.Row("greedy text perplexity per token", i => EvalTable.F(onOwn[i]!.Perplexity, 4));
        table.Row("Δ greedy-text perplexity vs fp32", i => i == 0 ? null : EvalTable.DeltaPercent(onOwn[i]!.Perplexity, onOwn[0]!.Perplexity));
        table.Row("greedy text top-1 agreement with fp32", i => i == 0 ? null : EvalTable.F(onOwn[i]!.Agreement!.Value, 4));
        table.Row($"greedy {GreedySteps} steps: leading tokens equal to fp32's (BOS + prompt included)", i => i == 0 ? null : $"{SamePrefix(greedy[0]!, greedy[i]!)}/{greedy[0]!.Tokens.Count}");
        context.SizeTargets(Name, columns, EvalContext.SizeRows(table, columns));
        AddTargets(context, columns, onShakespeare, onOwn);
        context.LatencyRows(table, columns, Llama2cImporter.InputName, shakespeare.FirstWindow, $"[1,{context512}]");
        table.Note($"fp32 greedy text {(greedy[0]!.Text == golden ? "matches" : "DOES NOT match")} greedy-once-upon-a-time.txt (run.c's output)");
        table.Note($"evaluation text: TinyShakespeare paragraphs ending within the first {EvalBytes:N0} bytes, each BOS + encode(stripped paragraph) " +
            $"({evalTokens.Length:N0} tokens); calibration: {CalibrationWindows} windows of {context512} tokens from the paragraphs of the next {CalibrationBytes:N0} bytes " +
            $"({calibTokens.Length:N0} tokens) at default_rng(1234) offsets [{EvalNumpyRandom.Preview(offsets)}]");
        table.Note("no peer column: tools/ort_peer.py does not quantize stories260K");
        table.Print(context.Out);
    }

    private void AddTargets(EvalContext context, List<EvalVariant> columns, EvalLmResult?[] onShakespeare, EvalLmResult?[] onOwn)
    {
        static double Increase(EvalLmResult?[] r, int i) => (r[i]!.Perplexity - r[0]!.Perplexity) / r[0]!.Perplexity * 100;
        EvalTargets.ForEach(columns, EvalTargets.SmoothQuant, (h, i) =>
        {
            context.Targets.Check("stories260K perplexity increase ≤ 1% (TinyShakespeare)", h,
                i < 0 ? null : Increase(onShakespeare, i), d => d <= 1, d => EvalTable.F(d, 3) + "%");
            context.Targets.Check("stories260K perplexity increase ≤ 1% (own greedy text)", h,
                i < 0 ? null : Increase(onOwn, i), d => d <= 1, d => EvalTable.F(d, 3) + "%");
        });
        context.Targets.AutoVsHalf(Name, "TinyShakespeare perplexity", columns, i => onShakespeare[i]!.Perplexity, higherIsBetter: false, v => EvalTable.F(v, 3));
    }

    /// <summary>Token streams of the evaluation and calibration parts of the text (paragraph by paragraph).</summary>
    private static (int[] Eval, int[] Calibration) Streams(string text, Llama2cTokenizer tokenizer)
    {
        var eval = new List<int>();
        var calib = new List<int>();
        var position = 0;
        foreach (var paragraph in text.Split("\n\n"))
        {
            position += paragraph.Length + 2;
            var target = position <= EvalBytes ? eval : position <= EvalBytes + CalibrationBytes ? calib : null;
            if (target is null)
            {
                break;
            }

            if (paragraph.Trim().Length > 0)
            {
                target.AddRange(tokenizer.Encode(paragraph.Trim(), bos: true, eos: false));
            }
        }

        return ([.. eval], [.. calib]);
    }

    private static string WriteCalibration(string folder, int[] tokens, int seqLen, out long[] offsets)
    {
        offsets = new EvalNumpyRandom(1234).Integers(0, tokens.Length - seqLen - 1, CalibrationWindows);
        var data = new long[CalibrationWindows * seqLen];
        for (var w = 0; w < CalibrationWindows; w++)
        {
            for (var t = 0; t < seqLen; t++)
            {
                data[(w * seqLen) + t] = tokens[offsets[w] + t];
            }
        }

        var path = Path.Combine(folder, "calib.npy");
        NpyWriter.WriteFile(path, NdArray.FromInt64(data, CalibrationWindows, seqLen));
        return path;
    }

    private static int SamePrefix(GenerationResult a, GenerationResult b)
    {
        var n = 0;
        while (n < a.Tokens.Count && n < b.Tokens.Count && a.Tokens[n] == b.Tokens[n])
        {
            n++;
        }

        return n;
    }
}
