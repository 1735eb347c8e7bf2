using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

// Runs the tone classifier that `dotnet build` compressed, verified and embedded (see compression.yaml): it is
// shown noisy 256-sample signals, each carrying one of 16 pure tones, and names the tone it hears.
const int Samples = 256;
const int Tones = 16;
const float Noise = 2.75f;

var model = ReadResource("tones.onnx");
using var session = new InferenceSession(model);
Console.WriteLine($"Embedded model: tones.onnx, {model.Length:N0} bytes (int8, compressed during dotnet build)");

// Eight noisy signals from a fixed seed, so every run prints the same lines.
var random = new Random(20260101);
var correct = 0;
const int Trials = 8;
for (var trial = 1; trial <= Trials; trial++)
{
    var tone = random.Next(Tones);
    var signal = new float[Samples];
    for (var n = 0; n < Samples; n++)
    {
        signal[n] = MathF.Sin(2f * MathF.PI * (tone + 1) * n / Samples) + (Noise * Gaussian(random));
    }

    using var results = session.Run([NamedOnnxValue.CreateFromTensor("signal", new DenseTensor<float>(signal, [1, Samples]))]);
    var logits = results[0].AsEnumerable<float>().ToArray();
    var heard = Array.IndexOf(logits, logits.Max());
    correct += heard == tone ? 1 : 0;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  signal {trial}: tone {tone + 1,2} + noise (sigma {Noise}) -> heard tone {heard + 1,2}, p = {Softmax(logits)[heard]:0.000}{(heard == tone ? "" : "  (wrong)")}"));
}

Console.WriteLine($"{correct} of {Trials} recognised.");

// report.json is embedded too (ModelCompress_AfterCompress in the .csproj): the numbers the build checked.
using var report = JsonDocument.Parse(ReadResource("report.json"));
foreach (var m in report.RootElement.GetProperty("models").EnumerateArray())
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"Build report for '{m.GetProperty("name").GetString()}': {m.GetProperty("source_bytes").GetInt64():N0} -> {m.GetProperty("output_bytes").GetInt64():N0} bytes"));
    if (m.TryGetProperty("verification", out var v))
    {
        var metrics = v.GetProperty("metrics");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  on {metrics.GetProperty("samples").GetInt32()} validation signals: accuracy {metrics.GetProperty("accuracy").GetDouble():0.000} (fp32 {metrics.GetProperty("reference_accuracy").GetDouble():0.000}), top-1 agreement with fp32 {metrics.GetProperty("top1_agreement").GetDouble():0.000}"));
        foreach (var t in v.GetProperty("thresholds").EnumerateArray())
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {t.GetProperty("metric").GetString()} {t.GetProperty("value").GetDouble():0.####} {t.GetProperty("bound").GetString()}: {(t.GetProperty("passed").GetBoolean() ? "passed" : "FAILED")}"));
        }
    }
}

static byte[] ReadResource(string name)
{
    using var stream = typeof(Program).Assembly.GetManifestResourceStream(name)
        ?? throw new InvalidOperationException($"Resource '{name}' is missing: was the app built with ModelCompress.Build?");
    using var copy = new MemoryStream();
    stream.CopyTo(copy);
    return copy.ToArray();
}

// Box-Muller: a standard normal sample from two uniform ones.
static float Gaussian(Random random) =>
    MathF.Sqrt(-2f * MathF.Log(1f - random.NextSingle())) * MathF.Cos(2f * MathF.PI * random.NextSingle());

static float[] Softmax(float[] logits)
{
    var max = logits.Max();
    var e = logits.Select(l => MathF.Exp(l - max)).ToArray();
    var sum = e.Sum();
    return e.Select(x => x / sum).ToArray();
}
