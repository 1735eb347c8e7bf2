using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using ModelCompress.Importers;
using ModelCompress.Onnx;

namespace ModelCompress.Benchmarks;

/// <summary>
/// Generates a Llama-architecture model of TinyLlama's shape (hidden 2048, MLP 5632, 32 heads / 4 KV heads, vocab 32000,
/// untied classifier) with a chosen number of layers (22 = TinyLlama's ~1.1 B parameters), weights from a seeded
/// generator: a llama2.c checkpoint is streamed to disk, imported, and saved with external data. build/scale.sh runs
/// the CLI on it and measures time and peak memory per mode.
/// Usage: <c>scale-model --layers 22 --out folder [--seq 256] [--seed 1]</c>.
/// </summary>
internal sealed class ScaleModelBench : IBenchCommand
{
    private const int Dim = 2048;
    private const int Hidden = 5632;
    private const int Heads = 32;
    private const int KvHeads = 4;
    private const int Vocab = 32000;

    public string Name => "scale-model";

    public string Description => "generate a TinyLlama-shaped model (seeded weights, external data) with N layers";

    public int Run(string[] args)
    {
        string Arg(string name, string fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }

        var layers = int.Parse(Arg("--layers", "22"), CultureInfo.InvariantCulture);
        var seq = int.Parse(Arg("--seq", "256"), CultureInfo.InvariantCulture);
        var seed = ulong.Parse(Arg("--seed", "1"), CultureInfo.InvariantCulture);
        var folder = Path.GetFullPath(Arg("--out", "scale-model"));
        Directory.CreateDirectory(folder);
        var checkpoint = Path.Combine(folder, "model.bin");
        var clock = Stopwatch.StartNew();
        WriteCheckpoint(checkpoint, layers, seq, seed);
        Console.WriteLine($"checkpoint: {new FileInfo(checkpoint).Length / 1e9:F2} GB in {clock.Elapsed.TotalSeconds:F0} s");
        clock.Restart();
        var model = Llama2cImporter.Import(checkpoint);
        model.Save(Path.Combine(folder, "model.onnx"), new OnnxSaveOptions { ExternalDataThreshold = 1024, ExternalDataFileName = "model.onnx.data" });
        File.Delete(checkpoint);
        var weightBytes = new FileInfo(Path.Combine(folder, "model.onnx.data")).Length;
        var parameters = model.Graph.Initializers.Values.Sum(t => t.ElementCount);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"model: {layers} layers, {parameters / 1e9:F3} B parameters, {weightBytes / 1e9:F2} GB external data, import+save {clock.Elapsed.TotalSeconds:F0} s, peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1e9:F2} GB"));
        return 0;
    }

    /// <summary>The llama2.c layout (run.c's order), written in chunks: weights uniform in ±0.035 (σ ≈ 0.02), norms 1.</summary>
    private static void WriteCheckpoint(string path, int layers, int seq, ulong seed)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        Span<byte> header = stackalloc byte[28];
        int[] fields = [Dim, Hidden, layers, Heads, KvHeads, -Vocab, seq];
        for (var i = 0; i < fields.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(header[(i * 4)..], fields[i]);
        }

        file.Write(header);
        var random = new Onnx.DeterministicRandom(seed);
        long kv = Dim / Heads * KvHeads, l = layers;
        void Random(long count) => Fill(file, count, () => random.NextUniform(0.035f));
        void Ones(long count) => Fill(file, count, () => 1f);
        Random(Vocab * (long)Dim);
        Ones(l * Dim);
        Random(l * Dim * Dim);
        Random(l * kv * Dim);
        Random(l * kv * Dim);
        Random(l * Dim * Dim);
        Ones(l * Dim);
        Random(l * Hidden * Dim);
        Random(l * Dim * Hidden);
        Random(l * Hidden * Dim);
        Ones(Dim);
        Fill(file, 2L * seq * (Dim / Heads / 2), () => 0f);
        Random(Vocab * (long)Dim);
    }

    private static void Fill(FileStream file, long count, Func<float> next)
    {
        var buffer = new float[1 << 20];
        while (count > 0)
        {
            var n = (int)Math.Min(count, buffer.Length);
            for (var i = 0; i < n; i++)
            {
                buffer[i] = next();
            }

            file.Write(MemoryMarshal.AsBytes(buffer.AsSpan(0, n)));
            count -= n;
        }
    }
}
