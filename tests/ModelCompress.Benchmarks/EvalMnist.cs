using Microsoft.ML.OnnxRuntime;
using ModelCompress.Data;
using ModelCompress.Testing;

namespace ModelCompress.Benchmarks;

/// <summary>
/// mnist-8 (model zoo CNN, raw 0–255 pixels, [1, 1, 28, 28]) on the 10,000 MNIST test images, one image per run as
/// the peer does. Calibration as the peer: test images 9744..9999 (256), handed to the engine as an .npy
/// [256, 1, 28, 28] float32 (all rows, in order). Those images are also inside the evaluated 10,000 — the peer's
/// protocol, kept for comparability.
/// </summary>
internal sealed class EvalMnist : IEvalFixture
{
    private const int CalibrationFirst = 9744;
    private const int CalibrationCount = 256;
    private const int QuickImages = 1000;

    public string Name => "mnist-8";

    public void Run(EvalContext context)
    {
        var o = context.Options;
        var fp32 = Fixtures.Require("models/mnist-8.onnx");
        var (images, labels) = Mnist.TestSet();
        var folder = context.FolderFor(Name);
        var calibration = Path.Combine(folder, "calib.npy");
        var calibData = images.Skip(CalibrationFirst).Take(CalibrationCount).SelectMany(img => img).ToArray();
        NpyWriter.WriteFile(calibration, NdArray.FromFloats(calibData, CalibrationCount, 1, Mnist.Side, Mnist.Side));

        var count = o.Quick ? QuickImages : images.Length;
        var columns = new List<EvalVariant> { EvalVariant.Fp32(fp32) };
        columns.AddRange(context.OurVariants(Name, fp32, calibration, CalibrationCount));
        columns.AddRange(context.PeerVariants(
            ("mnist-qdq_minmax_pc.onnx", "peer QDQ minmax pc"),
            ("mnist-qdq_minmax_pt.onnx", "peer QDQ minmax pt"),
            ("mnist-qdq_entropy_pt.onnx", "peer QDQ entropy pt"),
            ("mnist-qdq_percentile_pt.onnx", "peer QDQ percentile pt")));

        var predictions = new int[columns.Count][];
        for (var i = 0; i < columns.Count; i++)
        {
            if (columns[i].Available)
            {
                EvalContext.Progress($"{Name}: scoring {columns[i].Header} on {count} images");
                predictions[i] = Classify(columns[i].Path!, images, count, o.EvalThreads);
            }
        }

        var table = new EvalTable($"mnist-8 — MNIST test set, {count:N0} images", columns);
        double Top1(int i) => predictions[i].Select((p, k) => p == labels[k] ? 1 : 0).Sum() / (double)count;
        double Agree(int i) => predictions[i].Select((p, k) => p == predictions[0][k] ? 1 : 0).Sum() / (double)count;
        table.Row("top-1", i => EvalTable.F(Top1(i), 4));
        table.Row("Δ top-1 vs fp32 (points)", i => i == 0 ? null : EvalTable.F((Top1(i) - Top1(0)) * 100, 2));
        table.Row("top-1 agreement with fp32", i => i == 0 ? null : EvalTable.F(Agree(i), 4));
        context.SizeTargets(Name, columns, EvalContext.SizeRows(table, columns));
        EvalTargets.ForEach(columns, EvalTargets.StaticInt8, (h, i) => context.Targets.Check(
            "mnist-8 per-channel int8 top-1 ≥ 0.9891", h, i < 0 ? null : Top1(i), a => a >= 0.9891, a => EvalTable.F(a, 4)));
        context.Targets.AutoVsHalf(Name, "top-1", columns, Top1, higherIsBetter: true, v => EvalTable.F(v, 4));
        var name = EvalOrt.InputName(fp32);
        context.LatencyRows(table, columns, name, () => OrtValue.CreateTensorValueFromMemory(images[0], [1, 1, Mnist.Side, Mnist.Side]), "[1,1,28,28]");
        table.Note($"calibration (ours and the peer's): test images {CalibrationFirst}..{CalibrationFirst + CalibrationCount - 1}, raw 0–255 pixels, calib.npy [256,1,28,28] float32");
        if (!o.Quick)
        {
            table.Note($"fp32 reference (fixture README: 0.9891): {(Math.Abs(Top1(0) - 0.9891) < 0.00005 ? "reproduced" : "NOT reproduced")} ({EvalTable.F(Top1(0), 4)})");
        }

        foreach (var note in EvalPeerJson.Notes(o.PeerDir, "mnist-8"))
        {
            table.Note(note);
        }

        table.Print(context.Out);
    }

    private static int[] Classify(string path, float[][] images, int count, int threads)
    {
        using var session = EvalOrt.Session(path, threads);
        var name = session.InputNames[0];
        var result = new int[count];
        for (var k = 0; k < count; k++)
        {
            using var input = OrtValue.CreateTensorValueFromMemory(images[k], [1, 1, Mnist.Side, Mnist.Side]);
            var (scores, _) = EvalOrt.RunFirst(session, name, input);
            var best = 0;
            for (var c = 1; c < scores.Length; c++)
            {
                best = scores[c] > scores[best] ? c : best;
            }

            result[k] = best;
        }

        return result;
    }
}
