using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using ModelCompress.Data;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Recipe;
using ModelCompress.Testing;
using ModelCompress.Verification;

namespace ModelCompress.Benchmarks;

/// <summary>
/// Why a static int8 char-gpt loses fidelity out of its calibration domain, measured per quantized activation: each
/// QuantizeLinear's input is exposed and run on WikiText-2 test windows (the calibration domain) and on the licence
/// texts (<see cref="EvalOodText"/>); for each it prints the share of values outside the calibrated range (clipped by
/// QuantizeLinear's saturation), how many channels clip, and the worst value over the range's end. Then each int8
/// layer's own output SNR (<see cref="LayerErrorAnalyzer"/>) on both texts. Models are those an <c>eval --work-dir</c>
/// run left (e.g. WORK/char-gpt/sqauto/out/model.onnx).
/// </summary>
internal sealed class OodClipCommand : IBenchCommand
{
    private const int SeqLen = 128;

    public string Name => "ood-clip";

    public string Description => "clipping and per-layer SNR of static int8 char-gpt models on WikiText vs out-of-domain text: ood-clip [--windows N] model.onnx...";

    public int Run(string[] args)
    {
        var windows = 32;
        var models = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--windows")
            {
                windows = int.Parse(args[++i], CultureInfo.InvariantCulture);
            }
            else
            {
                models.Add(Path.GetFullPath(args[i]));
            }
        }

        var (oodBytes, detail) = EvalOodText.Load();
        if (oodBytes is null || models.Count == 0)
        {
            Console.Error.WriteLine(oodBytes is null ? detail : "usage: ood-clip [--windows N] model.onnx...");
            return 2;
        }

        var wiki = File.ReadAllBytes(Fixtures.Require("data/wikitext-2/test.txt"));
        var texts = new[] { ("wiki", Windows(wiki, windows)), ("ood", Windows(oodBytes, windows)) };
        var fp32 = OnnxModel.Load(Fixtures.Require("models/char-gpt/char-gpt-6l384.onnx"));
        var work = Directory.CreateTempSubdirectory("ood-clip-").FullName;
        try
        {
            foreach (var path in models)
            {
                Console.WriteLine($"### {path}");
                Console.WriteLine();
                Clipping(path, texts);
                Snr(fp32, path, texts, work);
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }

        Console.WriteLine($"out-of-domain text: {detail}; {windows} windows of {SeqLen} bytes from the start of each text");
        return 0;
    }

    private static long[] Windows(byte[] text, int count)
    {
        var n = Math.Min(count, text.Length / SeqLen);
        return [.. text.AsSpan(0, n * SeqLen).ToArray().Select(b => (long)b)];
    }

    private static void Clipping(string path, (string Name, long[] Ids)[] texts)
    {
        var model = OnnxModel.Load(path);
        var quantizers = model.Graph.Nodes.Where(n => n.OpType == "QuantizeLinear" && !model.Graph.Initializers.ContainsKey(n.Inputs[0])).ToList();
        var ranges = quantizers.Select(q => Range(model.Graph, q)).ToList();
        foreach (var q in quantizers)
        {
            model.Graph.AddOutput(q.Inputs[0]);
        }

        using var options = EvalOrt.Options(2);
        using var session = new InferenceSession(model.ToBytes(), options);
        Console.WriteLine("| quantized activation | range | " + string.Join(" | ", texts.Select(t => $"{t.Name}: clipped values | {t.Name}: channels clipping | {t.Name}: max / range end")) + " |");
        Console.WriteLine("|---|---|" + string.Concat(texts.Select(_ => "---|---|---|")));
        var cells = quantizers.Select(_ => new List<string>()).ToList();
        foreach (var (_, ids) in texts)
        {
            var clipped = new long[quantizers.Count];
            var total = new long[quantizers.Count];
            var worst = new double[quantizers.Count];
            var channels = new HashSet<int>[quantizers.Count];
            for (var i = 0; i < channels.Length; i++)
            {
                channels[i] = [];
            }

            for (var first = 0; first < ids.Length; first += SeqLen * 16)
            {
                var chunk = ids.AsSpan(first, Math.Min(SeqLen * 16, ids.Length - first)).ToArray();
                using var input = OrtValue.CreateTensorValueFromMemory(chunk, [chunk.Length / SeqLen, SeqLen]);
                using var run = new RunOptions();
                using var outputs = session.Run(run, [session.InputNames[0]], [input], [.. quantizers.Select(q => q.Inputs[0])]);
                for (var i = 0; i < quantizers.Count; i++)
                {
                    var (lo, hi) = ranges[i];
                    var x = outputs[i].GetTensorDataAsSpan<float>();
                    var c = (int)outputs[i].GetTensorTypeAndShape().Shape[^1];
                    for (var e = 0; e < x.Length; e++)
                    {
                        var v = x[e];
                        worst[i] = Math.Max(worst[i], v >= 0 ? v / hi : v / lo);
                        if (v > hi || v < lo)
                        {
                            clipped[i]++;
                            channels[i].Add(e % c);
                        }
                    }

                    total[i] += x.Length;
                }
            }

            for (var i = 0; i < quantizers.Count; i++)
            {
                cells[i].Add(FormattableString.Invariant($"{100.0 * clipped[i] / total[i]:F4}%"));
                cells[i].Add(channels[i].Count.ToString(CultureInfo.InvariantCulture));
                cells[i].Add(FormattableString.Invariant($"{worst[i]:F2}×"));
            }
        }

        for (var i = 0; i < quantizers.Count; i++)
        {
            Console.WriteLine(FormattableString.Invariant($"| {quantizers[i].Inputs[0]} | [{ranges[i].Lo:G4}, {ranges[i].Hi:G4}] | {string.Join(" | ", cells[i])} |"));
        }

        Console.WriteLine();
    }

    /// <summary>The float interval QuantizeLinear maps onto its integer type without saturating.</summary>
    private static (float Lo, float Hi) Range(OnnxGraph graph, OnnxNode q)
    {
        var scale = graph.Initializers[q.Inputs[1]].ToFloatArray()[0];
        var zeroTensor = q.Inputs.Count > 2 ? graph.Initializers[q.Inputs[2]] : null;
        var zero = zeroTensor?.ToFloatArray()[0] ?? 0f;
        var (min, max) = zeroTensor?.DataType == TensorDataType.Int8 ? (-128f, 127f) : (0f, 255f);
        return ((min - zero) * scale, (max - zero) * scale);
    }

    private static void Snr(OnnxModel fp32, string path, (string Name, long[] Ids)[] texts, string work)
    {
        var compressed = OnnxModel.Load(path);
        var byText = new List<Dictionary<string, LayerError>>();
        foreach (var (name, ids) in texts)
        {
            var file = Path.Combine(work, name + ".npy");
            NpyWriter.WriteFile(file, NdArray.FromInt64(ids, ids.Length / SeqLen, SeqLen));
            var data = new DataSource(file, DataFormat.Npy, TokenizerKind.None, null, null, null, new SourceLocation(file, 0, 0));
            byText.Add(LayerErrorAnalyzer.Analyze("char-gpt", fp32, compressed, data, ids.Length / SeqLen, CancellationToken.None)
                .ToDictionary(e => e.Name, StringComparer.Ordinal));
        }

        Console.WriteLine("| layer | " + string.Join(" | ", texts.Select(t => $"{t.Name}: SNR dB")) + " | drop dB |");
        Console.WriteLine("|---|" + string.Concat(texts.Select(_ => "---|")) + "---|");
        foreach (var name in byText[0].Keys.OrderBy(n => n, StringComparer.Ordinal))
        {
            var snr = byText.Select(d => d.TryGetValue(name, out var e) ? e.SnrDb : null).ToList();
            var drop = snr[0] is { } a && snr[^1] is { } b ? FormattableString.Invariant($"{a - b:F1}") : "—";
            Console.WriteLine($"| {name} | {string.Join(" | ", snr.Select(s => s is { } v ? v.ToString("F1", CultureInfo.InvariantCulture) : "—"))} | {drop} |");
        }

        Console.WriteLine();
    }
}
