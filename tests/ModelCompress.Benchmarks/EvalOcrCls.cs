using Microsoft.ML.OnnxRuntime;
using ModelCompress.Data;
using ModelCompress.Testing;

namespace ModelCompress.Benchmarks;

/// <summary>
/// PP-OCR text direction classifier (0° vs 180°) on lines of MNIST digits (<see cref="EvalClsLines"/>), every odd
/// line turned by 180°, so both labels are known: accuracy against them, agreement with fp32 and the mean |Δp| of the
/// two-class softmax, size and latency. Calibration: 32 lines from images 5000.. (disjoint), half of them turned.
/// </summary>
internal sealed class EvalOcrCls : IEvalFixture
{
    private const int EvalLines = 200;
    private const int QuickLines = 40;
    private const int CalibrationLines = 32;
    private const int CalibrationFirstImage = 5000;

    public string Name => "ppocrv4-cls";

    public void Run(EvalContext context)
    {
        var o = context.Options;
        var fp32 = Fixtures.Require("models/ppocrv4/ch_ppocr_mobile_v2.0_cls_infer.onnx");
        var (images, _) = Mnist.TestSet();
        var calibration = Path.Combine(context.FolderFor(Name), "calib.npy");
        var calib = Enumerable.Range(0, CalibrationLines)
            .Select(j => EvalClsLines.Line(images, CalibrationFirstImage + (j * EvalOcrLines.Digits), turned: j % 2 == 1)).ToList();
        NpyWriter.WriteFile(calibration, NdArray.FromFloats([.. calib.SelectMany(l => l)], CalibrationLines, 3, EvalOcrLines.Height, EvalClsLines.Width));

        var lines = o.Quick ? QuickLines : EvalLines;
        var inputs = Enumerable.Range(0, lines).Select(j => EvalClsLines.Line(images, j * EvalOcrLines.Digits, turned: j % 2 == 1)).ToList();
        var columns = new List<EvalVariant> { EvalVariant.Fp32(fp32) };
        columns.AddRange(context.OurVariants(Name, fp32, calibration, CalibrationLines));
        columns.AddRange(context.PeerVariants(("ocr-cls-qdq_minmax_pc.onnx", "peer QDQ minmax pc")));
        var outputs = new float[columns.Count][][];
        for (var i = 0; i < columns.Count; i++)
        {
            if (columns[i].Available)
            {
                EvalContext.Progress($"{Name}: running {columns[i].Header} on {lines} lines");
                using var session = EvalOrt.Session(columns[i].Path!, o.EvalThreads);
                var name = session.InputNames[0];
                outputs[i] = [.. inputs.Select(x =>
                {
                    using var input = OrtValue.CreateTensorValueFromMemory(x, EvalClsLines.Shape);
                    return EvalOrt.RunFirst(session, name, input).Data;
                })];
            }
        }

        static int Label(float[] p) => p[1] > p[0] ? 1 : 0;
        var table = new EvalTable($"PP-OCR direction classifier — {lines} MNIST digit lines [1,3,48,192], every other one turned 180°", columns);
        table.Row("accuracy (0° / 180°)", i => EvalTable.F(outputs[i].Select((p, k) => Label(p) == k % 2 ? 1.0 : 0).Average(), 4));
        table.Row("agreement with fp32", i => i == 0 ? null : EvalTable.F(outputs[i].Select((p, k) => Label(p) == Label(outputs[0][k]) ? 1.0 : 0).Average(), 4));
        table.Row("mean |Δp(180°)| vs fp32", i => i == 0 ? null : EvalTable.F(outputs[i].Select((p, k) => Math.Abs(p[1] - outputs[0][k][1])).Average(), 4));
        context.SizeTargets(Name, columns, EvalContext.SizeRows(table, columns));
        context.LatencyRows(table, columns, EvalOrt.InputName(fp32), () => OrtValue.CreateTensorValueFromMemory(inputs[0], EvalClsLines.Shape), "[1,3,48,192]");
        table.Note($"inputs: line j = MNIST test images 6j..6j+5 resized to 192 wide, odd j turned (j < {lines}); calibration: {CalibrationLines} lines from images "
            + $"{CalibrationFirstImage}.., odd ones turned, calib.npy [{CalibrationLines},3,48,192] float32");
        foreach (var note in EvalPeerJson.Notes(o.PeerDir, Name))
        {
            table.Note(note);
        }

        table.Print(context.Out);
    }
}
