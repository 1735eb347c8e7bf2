using System.Text;
using Microsoft.ML.OnnxRuntime;
using ModelCompress.Data;
using ModelCompress.Testing;

namespace ModelCompress.Benchmarks;

/// <summary>
/// PP-OCRv4 text-line recognizer vs fp32 on deterministic, real-looking inputs: text lines of handwritten digits made
/// from MNIST test images (<see cref="EvalOcrLines"/>: six digits per line, each scaled to 48×48, dark ink on light
/// paper, padded to 320 wide, normalized as PaddleOCR does). The recognizer has no labels here, so the table compares
/// with fp32: argmax agreement per time step, cosine of the output, and whether the CTC-decoded string is the same;
/// a note says how often fp32 itself reads the six digits exactly (evidence the inputs are meaningful to it).
/// </summary>
internal sealed class EvalOcr : IEvalFixture
{
    private const int EvalLines = 200;
    private const int QuickLines = 20;
    private const int CalibrationLines = 32;
    private const int CalibrationFirstImage = 5000; // disjoint from the evaluation lines' images 0..1199

    public string Name => "ppocrv4-rec";

    public void Run(EvalContext context)
    {
        var o = context.Options;
        var fp32 = Fixtures.Require("models/ppocrv4/ch_PP-OCRv4_rec_infer.onnx");
        var keys = File.ReadAllLines(Fixtures.Require("models/ppocrv4/ppocr_keys_v1.txt"));
        var (images, labels) = Mnist.TestSet();
        var folder = context.FolderFor(Name);
        var calibration = Path.Combine(folder, "calib.npy");
        var calib = Enumerable.Range(0, CalibrationLines).Select(j => EvalOcrLines.Line(images, CalibrationFirstImage + (j * EvalOcrLines.Digits))).ToList();
        NpyWriter.WriteFile(calibration, NdArray.FromFloats([.. calib.SelectMany(l => l)], CalibrationLines, 3, EvalOcrLines.Height, EvalOcrLines.Width));

        var lines = o.Quick ? QuickLines : EvalLines;
        var inputs = Enumerable.Range(0, lines).Select(j => EvalOcrLines.Line(images, j * EvalOcrLines.Digits)).ToList();
        var truth = Enumerable.Range(0, lines)
            .Select(j => string.Concat(labels.Skip(j * EvalOcrLines.Digits).Take(EvalOcrLines.Digits).Select(l => (char)('0' + l)))).ToList();

        var columns = new List<EvalVariant> { EvalVariant.Fp32(fp32) };
        columns.AddRange(context.OurVariants(Name, fp32, calibration, CalibrationLines));
        columns.AddRange(context.PeerVariants(("ocr-rec-qdq_minmax_pc.onnx", "peer QDQ minmax pc")));
        var outputs = new float[columns.Count][][];
        for (var i = 0; i < columns.Count; i++)
        {
            if (columns[i].Available)
            {
                EvalContext.Progress($"{Name}: running {columns[i].Header} on {lines} lines");
                outputs[i] = Recognize(columns[i].Path!, inputs, o.EvalThreads);
            }
        }

        var steps = outputs[0][0].Length / VocabOf(outputs[0][0], keys);
        var vocab = outputs[0][0].Length / steps;
        var decoded = outputs.Select(r => r?.Select(p => Decode(p, steps, vocab, keys)).ToArray()).ToArray();
        var table = new EvalTable($"PP-OCRv4 recognizer — {lines} MNIST digit lines [1,3,48,320] ({steps} time steps × {vocab} classes each)", columns);
        table.Row("argmax agreement per time step", i => i == 0 ? null : EvalTable.F(Agreement(outputs[0], outputs[i], steps, vocab), 4));
        table.Row("cosine vs fp32 (mean over lines)", i => i == 0 ? null : EvalTable.F(outputs[i].Select((p, k) => Cosine(outputs[0][k], p)).Average(), 5));
        table.Row("cosine vs fp32 (worst line)", i => i == 0 ? null : EvalTable.F(outputs[i].Select((p, k) => Cosine(outputs[0][k], p)).Min(), 5));
        table.Row("decoded line = fp32's", i => i == 0 ? null : EvalTable.F(decoded[i]!.Select((s, k) => s == decoded[0]![k] ? 1.0 : 0).Average(), 4));
        table.Row("decoded line = the digits", i => EvalTable.F(decoded[i]!.Select((s, k) => s == truth[k] ? 1.0 : 0).Average(), 4));
        context.SizeTargets(Name, columns, EvalContext.SizeRows(table, columns));
        context.Targets.AutoVsHalf(Name, "argmax agreement", columns, i => Agreement(outputs[0], outputs[i], steps, vocab), higherIsBetter: true, v => EvalTable.F(v, 4));
        var name = EvalOrt.InputName(fp32);
        context.LatencyRows(table, columns, name, () => OrtValue.CreateTensorValueFromMemory(inputs[0], EvalOcrLines.Shape), "[1,3,48,320]");
        table.Note($"inputs: line j = MNIST test images 6j..6j+5 (j < {lines}); calibration: {CalibrationLines} lines from images " +
            $"{CalibrationFirstImage}..{CalibrationFirstImage + (CalibrationLines * EvalOcrLines.Digits) - 1}, calib.npy [{CalibrationLines},3,48,320] float32");
        table.Note($"example: digits {truth[0]}, fp32 reads \"{decoded[0]![0]}\"; CTC greedy decoding (collapse repeats, drop blank 0), dictionary ppocr_keys_v1.txt + space");
        foreach (var note in EvalPeerJson.Notes(o.PeerDir, Name))
        {
            table.Note(note);
        }

        if (o.PeerDir is null)
        {
            table.Note("no peer column: pass --peer-dir with the models of build/peer/ort_peer_conv.py");
        }
        table.Print(context.Out);
    }

    internal static float[][] Recognize(string path, List<float[]> inputs, int threads)
    {
        using var session = EvalOrt.Session(path, threads);
        var name = session.InputNames[0];
        return [.. inputs.Select(x =>
        {
            using var input = OrtValue.CreateTensorValueFromMemory(x, EvalOcrLines.Shape);
            return EvalOrt.RunFirst(session, name, input).Data;
        })];
    }

    /// <summary>The number of classes: the dictionary, plus blank (index 0) and the space PaddleOCR appends.</summary>
    private static int VocabOf(float[] output, string[] keys)
    {
        var vocab = keys.Length + 2;
        return output.Length % vocab == 0 ? vocab : throw new InvalidDataException($"output length {output.Length} is not a multiple of {vocab} classes");
    }

    internal static double Agreement(float[][] reference, float[][] other, int steps, int vocab)
    {
        long same = 0;
        for (var k = 0; k < reference.Length; k++)
        {
            for (var t = 0; t < steps; t++)
            {
                same += ArgMax(reference[k].AsSpan(t * vocab, vocab)) == ArgMax(other[k].AsSpan(t * vocab, vocab)) ? 1 : 0;
            }
        }

        return same / (double)(reference.Length * steps);
    }

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }

        return dot / Math.Sqrt(na * nb);
    }

    private static string Decode(float[] probabilities, int steps, int vocab, string[] keys)
    {
        var sb = new StringBuilder();
        var previous = -1;
        for (var t = 0; t < steps; t++)
        {
            var best = ArgMax(probabilities.AsSpan(t * vocab, vocab));
            if (best != 0 && best != previous)
            {
                sb.Append(best <= keys.Length ? keys[best - 1] : " ");
            }

            previous = best;
        }

        return sb.ToString();
    }

    private static int ArgMax(ReadOnlySpan<float> row)
    {
        var best = 0;
        for (var i = 1; i < row.Length; i++)
        {
            best = row[i] > row[best] ? i : best;
        }

        return best;
    }
}
