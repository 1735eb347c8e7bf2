using System.Diagnostics;
using System.Globalization;
using ModelCompress.Engine;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Recipe;
using ModelCompress.Testing;

namespace ModelCompress.Benchmarks;

/// <summary>
/// Weight-only int8 through the engine on the models whose weights sit in subgraphs, Constant nodes and LSTMs — the
/// fixtures' silero-vad-legacy and openwakeword-hello-deepa, and the Silero-style If/Constant model built in code —
/// with sizes and output cosine against fp32 in ONNX Runtime. The VAD models stream audio chunk by chunk with their
/// state carried: the speech-like signal of <see cref="SpeechLikeSignal"/> (10 s per rate), and, when espeak-ng is
/// installed, English sentences it speaks (22.05 kHz, resampled linearly). openWakeWord's head takes [1, 25, 96]
/// embedding frames from a speech model that is not in the fixtures, so it gets 256 seeded normal inputs.
/// Usage: <c>eval-subgraph [--exclude PATTERN]</c> (an <c>exclude:</c> entry of the quantize step, e.g. <c>re:stft</c>).
/// </summary>
internal sealed class EvalSubgraphs : IBenchCommand
{
    private const string Sentences = "Turn on the kitchen lights. What is the weather like tomorrow morning? Please call my sister and tell her I will be late. "
        + "The quick brown fox jumps over the lazy dog.";

    public string Name => "eval-subgraph";

    public string Description => "weight-only int8 on models with weights in If branches, Constant nodes and LSTMs: size and output cosine";

    public int Run(string[] args)
    {
        var at = Array.IndexOf(args, "--exclude");
        var exclude = at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
        var folder = Directory.CreateTempSubdirectory("mc-subgraph-").FullName;
        try
        {
            Console.WriteLine("| model | fp32 bytes | int8 bytes | ratio | layers (LSTM W/R) | input | chunks | fp32 p min–max | prob. cosine | centered cosine | max abs Δp | state cosine |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
            var speech = Espeak(Sentences);
            var style = Path.Combine(folder, "silero-style.onnx");
            SileroStyleModel.Build().Save(style);
            var (styleOut, styleReport) = Compress(folder, "silero_style", style, exclude);
            foreach (var rate in new[] { 16000, 8000 })
            {
                var chunk = SileroStyleModel.ChunkSamples(rate);
                Vad("Silero-style (If, Constant nodes)", style, styleOut, styleReport, $"speech-like {rate / 1000} kHz", SpeechLikeSignal.Generate(10 * rate, rate, (ulong)rate), rate, chunk);
                if (speech is not null)
                {
                    Vad("Silero-style (If, Constant nodes)", style, styleOut, styleReport, $"espeak-ng {rate / 1000} kHz", Resample(speech, 22050, rate), rate, chunk);
                }
            }

            var legacy = Fixtures.Require("models/silero-vad-legacy.onnx");
            var (legacyOut, legacyReport) = Compress(folder, "silero_legacy", legacy, exclude);
            Vad("silero-vad-legacy", legacy, legacyOut, legacyReport, "speech-like 16 kHz", SpeechLikeSignal.Generate(160000, 16000, 16000), 16000, 512);
            if (speech is not null)
            {
                Vad("silero-vad-legacy", legacy, legacyOut, legacyReport, "espeak-ng 16 kHz", Resample(speech, 22050, 16000), 16000, 512);
            }

            var wake = Fixtures.Require("models/openwakeword-hello-deepa.onnx");
            var (wakeOut, wakeReport) = Compress(folder, "openwakeword", wake, exclude);
            WakeWord(wake, wakeOut, wakeReport);
            if (speech is null)
            {
                Console.WriteLine("(espeak-ng not found: only the speech-like signal was used)");
            }

            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static (string Output, Reports.ModelReport Report) Compress(string folder, string name, string source, string? exclude)
    {
        var excluded = exclude is null ? string.Empty : $", exclude: [\"{exclude}\"]";
        var dir = Path.Combine(folder, name);
        Directory.CreateDirectory(dir);
        var recipePath = Path.Combine(dir, "compression.yaml");
        File.WriteAllText(recipePath, $"version: 1\nallow_outside: true\nmodels:\n  - name: {name}\n    source: {source}\n    steps:\n      - quantize: {{ mode: weight_only{excluded} }}\n");
        var sink = new ListDiagnosticSink();
        var recipe = RecipeLoader.Load(recipePath, RecipeLoadOptions.Default, sink) ?? throw new InvalidOperationException(string.Join("\n", sink.Items));
        var result = ModelCompressEngine.Compress(recipe, new CompressOptions(Path.Combine(dir, "out")), sink, CancellationToken.None);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join("\n", sink.Items));
        }

        return (Path.Combine(dir, "out", name + ".onnx"), result.Report.Models.Single());
    }

    private static void Vad(string label, string fp32, string int8, Reports.ModelReport report, string input, float[] audio, int rate, int chunk)
    {
        var reference = VadStream.Run(File.ReadAllBytes(fp32), audio, rate, chunk);
        var compressed = VadStream.Run(File.ReadAllBytes(int8), audio, rate, chunk);
        Row(label, report, input, reference.Probabilities, compressed.Probabilities,
            VadStream.Cosine(reference.FinalState, compressed.FinalState).ToString("F6", CultureInfo.InvariantCulture));
    }

    private static void WakeWord(string fp32, string int8, Reports.ModelReport report)
    {
        var rng = new DeterministicRandom(96);
        var a = new List<float>();
        var b = new List<float>();
        var fp32Bytes = File.ReadAllBytes(fp32);
        var int8Bytes = File.ReadAllBytes(int8);
        using var options = OrtRun.DeterministicOptions();
        using var s1 = new Microsoft.ML.OnnxRuntime.InferenceSession(fp32Bytes, options);
        using var s2 = new Microsoft.ML.OnnxRuntime.InferenceSession(int8Bytes, options);
        var name = s1.InputMetadata.Keys.Single();
        for (var i = 0; i < 256; i++)
        {
            var x = new float[25 * 96];
            for (var j = 0; j < x.Length; j++)
            {
                x[j] = rng.NextNormal(1f);
            }

            a.Add(OrtRun.Run(s1, OrtInput.Float(name, x, 1, 25, 96))[0].Floats[0]);
            b.Add(OrtRun.Run(s2, OrtInput.Float(name, x, 1, 25, 96))[0].Floats[0]);
        }

        Row("openwakeword-hello-deepa", report, "seeded normal [1,25,96]", [.. a], [.. b], "-");
    }

    private static void Row(string label, Reports.ModelReport r, string input, float[] reference, float[] compressed, string state)
    {
        var layers = r.Steps[0].Layers;
        var maxDiff = reference.Zip(compressed, (x, y) => Math.Abs((double)x - y)).Max();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {label} | {r.SourceBytes:N0} | {r.OutputBytes:N0} | {r.SizeRatio:F3} | {layers.Count} ({layers.Count(l => l.Op == "LSTM")}) | {input} | {reference.Length} | {reference.Min():F3}–{reference.Max():F3} | {VadStream.Cosine(reference, compressed):F6} | {VadStream.CenteredCosine(reference, compressed):F6} | {maxDiff:E2} | {state} |"));
    }

    /// <summary>English speech from espeak-ng as floats at 22.05 kHz, or null when it is not installed.</summary>
    private static float[]? Espeak(string text)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("espeak-ng", ["-v", "en-us", "-s", "150", "--stdout", text])
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return null;
            }

            using var wav = new MemoryStream();
            process.StandardOutput.BaseStream.CopyTo(wav);
            process.WaitForExit();
            var bytes = wav.ToArray();
            // RIFF/WAVE, 16-bit mono PCM: find the 'data' chunk; espeak-ng streams with an unknown length, so read to the end.
            var at = 12;
            while (at + 8 <= bytes.Length && !(bytes[at] == 'd' && bytes[at + 1] == 'a' && bytes[at + 2] == 't' && bytes[at + 3] == 'a'))
            {
                at += 8 + BitConverter.ToInt32(bytes, at + 4);
            }

            at += 8;
            var samples = new float[(bytes.Length - at) / 2];
            for (var i = 0; i < samples.Length; i++)
            {
                samples[i] = BitConverter.ToInt16(bytes, at + (2 * i)) / 32768f;
            }

            return samples;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static float[] Resample(float[] input, int from, int to)
    {
        var output = new float[(int)((long)input.Length * to / from)];
        for (var i = 0; i < output.Length; i++)
        {
            var position = (double)i * from / to;
            var k = (int)position;
            var f = position - k;
            output[i] = (float)((input[k] * (1 - f)) + ((k + 1 < input.Length ? input[k + 1] : input[k]) * f));
        }

        return output;
    }
}
