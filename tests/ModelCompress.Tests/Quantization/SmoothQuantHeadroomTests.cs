using ModelCompress.Data;
using ModelCompress.Engine;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Quantization;
using ModelCompress.Testing;
using ModelCompress.Tests.Engine;

namespace ModelCompress.Tests.Quantization;

/// <summary>
/// SmoothQuant's headroom (<see cref="SmoothQuantizer.KeepHeadroom"/>): Eq. 4 at a large α brings every channel's
/// smoothed maximum close to the per-tensor range's end, so inputs louder than calibration are clipped by the static
/// int8 activation; with headroom each channel keeps room to grow. Shown on a one-MatMul model whose channels are all
/// 1.8× louder at test time than in calibration (char-gpt's out-of-domain text reached 1.76× the range's end).
/// </summary>
public sealed class SmoothQuantHeadroomTests
{
    private const int K = 16;
    private const int N = 16;
    private const int Rows = 256;

    [Fact]
    public void Every_channel_keeps_its_headroom_and_the_loudest_channel_keeps_eq4s_factor()
    {
        var rng = new Random(3);
        var xMax = Enumerable.Range(0, 64).Select(j => (float)(0.05 + (rng.NextDouble() * (j % 9 == 0 ? 20 : 2)))).ToArray();
        var wMax = Enumerable.Range(0, 64).Select(_ => (float)(0.01 + rng.NextDouble())).ToArray();
        var plain = SmoothQuantizer.Scales(xMax, wMax, 0.75);
        var kept = SmoothQuantizer.Scales(xMax, wMax, 0.75, headroom: 2);
        var loudest = Array.IndexOf(xMax, xMax.Max());

        // The loudest channel keeps Eq. 4's factor and its smoothed maximum is the range's end; no channel lies
        // above it (Eq. 4 alone lets a channel with a small weight row exceed it and set a wider range).
        Assert.Equal(plain[loudest], kept[loudest]);
        var end = xMax[loudest] / kept[loudest];
        Assert.Equal(end, Enumerable.Range(0, 64).Max(j => xMax[j] / kept[j]), 5);
        Assert.True(Enumerable.Range(0, 64).Max(j => xMax[j] / plain[j]) > end, "the data should have a channel Eq. 4 puts above the loudest");
        var raised = 0;
        for (var j = 0; j < 64; j++)
        {
            // Room = range end / channel's smoothed maximum: at least min(2, the room it had unsmoothed).
            var room = end / (xMax[j] / kept[j]);
            Assert.True(room >= Math.Min(2, xMax[loudest] / xMax[j]) * (1 - 1e-5), $"channel {j}: room {room}");
            Assert.True(kept[j] >= plain[j]);
            raised += kept[j] > plain[j] ? 1 : 0;
        }

        Assert.True(raised > 0, "α = 0.75 flattens these channels to less than 2× of room, so some factor must be raised");
        Assert.Equal(plain, SmoothQuantizer.Scales(xMax, wMax, 0.75, headroom: 1));
    }

    [Fact]
    public void Headroom_stops_smoothing_from_clipping_channels_that_are_louder_at_test_than_in_calibration()
    {
        using var p = Project();
        var plain = RelativeError(p, "      - smoothquant: { alpha: 0.8 }", louder: 1.8f);
        var kept = RelativeError(p, "      - smoothquant: { alpha: 0.8, headroom: 2 }", louder: 1.8f);
        var unsmoothed = RelativeError(p, null, louder: 1.8f);

        // Measured: Eq. 4 at α = 0.8 leaves channels 1–15 about 4^0.2 = 1.3× of room, so at 1.8× they clip and the
        // output error is many times that of the same model with 2× of room, which stays near plain int8's.
        Assert.True(plain > 5 * kept, $"relative MSE at 1.8× louder inputs: headroom 1 {plain:E3}, headroom 2 {kept:E3}");
        Assert.True(kept < 2 * unsmoothed, $"headroom 2 {kept:E3} vs no smoothing {unsmoothed:E3}");

        // On inputs like the calibration data nothing clips, and the room costs little resolution.
        var plainIn = RelativeError(p, "      - smoothquant: { alpha: 0.8 }", louder: 1f);
        var keptIn = RelativeError(p, "      - smoothquant: { alpha: 0.8, headroom: 2 }", louder: 1f);
        Assert.True(keptIn < 2 * plainIn, $"in calibration's range: headroom 2 {keptIn:E3}, headroom 1 {plainIn:E3}");
    }

    [Fact]
    public void Headroom_auto_picks_a_headroom_per_group_from_the_candidates_and_the_output_is_deterministic()
    {
        using var p = Project();
        const string Smoothing = "      - smoothquant: { alpha: auto, headroom: auto }";
        var first = RelativeError(p, Smoothing, louder: 1f);
        var bytes = File.ReadAllBytes(p.PathOf("out/m.onnx"));
        var note = File.ReadAllText(p.PathOf("out/report.json"));
        var again = RelativeError(p, Smoothing, louder: 1f);

        Assert.Equal(bytes, File.ReadAllBytes(p.PathOf("out/m.onnx")));
        Assert.Equal(first, again);
        Assert.Matches("headroom (1|1\\.25|1\\.5|2)\\b", note);
        Assert.True(first < 1e-3, $"relative MSE {first:E3}");
    }

    /// <summary>x [batch, 16] · W [16, 16]; calibration rows: channel 0 within ±4, the others within ±1.</summary>
    private static TestProject Project()
    {
        var p = new TestProject();
        var rng = new Random(11);
        var w = Enumerable.Range(0, K * N).Select(_ => (float)((rng.NextDouble() * 2) - 1)).ToArray();
        var b = new OnnxModelBuilder("headroom").Opset(17);
        b.Graph.Input("x", TensorDataType.Float, "batch", K);
        b.Graph.Node("MatMul", ["x", b.Graph.Initializer("fc.weight", [K, N], w)], ["y"], "/fc/MatMul");
        b.Graph.Output("y", TensorDataType.Float, "batch", N);
        p.AddModel("models/m.onnx", b.Build());
        Directory.CreateDirectory(p.PathOf("data"));
        NpzArchive.WriteFile(p.PathOf("data/calib.npz"), new Dictionary<string, NdArray> { ["x"] = NdArray.FromFloats(Inputs(1, 1f), [Rows, 1, K]) });
        return p;
    }

    /// <summary>Rows like the calibration data's (another seed), channels 1–15 scaled by <paramref name="louder"/>.</summary>
    private static float[] Inputs(int seed, float louder)
    {
        var rng = new Random(seed);
        var x = new float[Rows * K];
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = (float)((rng.NextDouble() * 2) - 1) * (i % K == 0 ? 4f : louder);
        }

        return x;
    }

    /// <summary>Σ(y − ŷ)² / Σy² of the static int8 model made with <paramref name="smoothing"/> (or none) on test rows.</summary>
    private static double RelativeError(TestProject p, string? smoothing, float louder)
    {
        p.WriteRecipe($"""
            version: 1
            models:
              - name: m
                source: models/m.onnx
                calibration: {"{"} data: data/calib.npz, samples: {Rows} {"}"}
                steps:
            {(smoothing is null ? string.Empty : smoothing + "\n")}      - quantize: {"{"} mode: static, method: minmax {"}"}
            """);
        var sink = new ListDiagnosticSink();
        var result = ModelCompressEngine.Compress(p.LoadRecipe(), new CompressOptions(p.PathOf("out")), sink, CancellationToken.None);
        Assert.True(result.Succeeded, string.Join("\n", sink.Items));
        var x = Inputs(2, louder);
        var input = OrtInput.Float("x", x, Rows, K);
        var reference = OrtRun.Run(p.PathOf("models/m.onnx"), input)[0].Floats;
        var actual = OrtRun.Run(p.PathOf("out/m.onnx"), input)[0].Floats;
        double err = 0, energy = 0;
        for (var i = 0; i < reference.Length; i++)
        {
            err += (actual[i] - reference[i]) * (double)(actual[i] - reference[i]);
            energy += reference[i] * (double)reference[i];
        }

        return err / energy;
    }
}
