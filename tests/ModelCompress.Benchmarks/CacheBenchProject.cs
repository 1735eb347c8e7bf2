using System.Globalization;
using System.Text;
using ModelCompress.Data;
using ModelCompress.Engine;
using ModelCompress.Importers;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Recipe;
using ModelCompress.Testing;
using ModelCompress.Text;

namespace ModelCompress.Benchmarks;

/// <summary>
/// A temporary project for <see cref="CacheBench"/>: a copy of a real model (char-gpt or stories260K) that the bench
/// edits, calibration and verify windows of real text, and a recipe whose steps and thresholds it rewrites.
/// </summary>
internal sealed class CacheBenchProject : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _steps;
    private readonly int _calibration;

    private CacheBenchProject(string steps, int calibration)
    {
        _steps = steps;
        _calibration = calibration;
    }

    /// <summary>The node whose weight stands for "a late layer" (the last MLP's second matrix).</summary>
    public required string LateLayer { get; init; }

    /// <summary>The node whose weight stands for "an early layer" (the first attention output projection).</summary>
    public required string EarlyLayer { get; init; }

    public required string Description { get; init; }

    public string CacheDir => PathOf("cache");

    public string ModelPath => PathOf("models/model.onnx");

    public string PathOf(string relative) => Path.Combine(_dir.FullPath, relative);

    /// <summary>The project the cache benchmarks' shared options name: --model, --steps, --calibration, --verify (and --repeat).</summary>
    public static (CacheBenchProject Project, string Steps, int Repeat) FromArguments(string[] args, string defaultSteps)
    {
        string Arg(string name, string fallback) => Array.IndexOf(args, name) is >= 0 and var i && i + 1 < args.Length ? args[i + 1] : fallback;
        var repeat = int.Parse(Arg("--repeat", "3"), CultureInfo.InvariantCulture);
        var steps = Arg("--steps", defaultSteps);
        var calibration = int.Parse(Arg("--calibration", "16"), CultureInfo.InvariantCulture);
        var verify = int.Parse(Arg("--verify", "16"), CultureInfo.InvariantCulture);
        var project = Arg("--model", "char-gpt") == "stories" ? Stories(steps, calibration, verify) : CharGpt(steps, calibration, verify);
        return (project, steps, repeat);
    }

    public static CacheBenchProject CharGpt(string steps, int calibration, int verify)
    {
        var p = new CacheBenchProject(steps, calibration)
        {
            LateLayer = "/blocks.5/mlp/fc2/MatMul",
            EarlyLayer = "/blocks.0/attn/proj/MatMul",
            Description = "char-gpt-6l384 (10.9M params, 25 linear layers)",
        };
        Directory.CreateDirectory(p.PathOf("models"));
        OnnxModel.Load(Fixtures.Require("models/char-gpt/char-gpt-6l384.onnx")).Save(p.ModelPath);
        p.WriteWindows("calib.npz", Bytes("data/wikitext-2/valid.txt"), calibration, 128);
        p.WriteWindows("verify.npz", Bytes("data/wikitext-2/test.txt"), verify, 128);
        p.WriteRecipe("        - { metric: top1_agreement, min: 0.5 }");
        return p;
    }

    public static CacheBenchProject Stories(string steps, int calibration, int verify)
    {
        var p = new CacheBenchProject(steps, calibration)
        {
            LateLayer = "layers.4.feed_forward.w2",
            EarlyLayer = "layers.0.attention.wo",
            Description = "stories260K (llama2.c import, 36 linear layers)",
        };
        var checkpoint = Fixtures.Require("models/stories260K/stories260K.bin");
        var tokenizer = Fixtures.Require("models/stories260K/tok512.bin");
        Directory.CreateDirectory(p.PathOf("models"));
        Llama2cImporter.ImportToFile(checkpoint, p.ModelPath, tokenizer);
        var text = File.ReadAllText(Fixtures.Require("data/tinyshakespeare/input.txt"))[..40_000];
        var tokens = Llama2cTokenizer.Load(tokenizer).Encode(text, bos: false, eos: false).Select(t => (long)t).ToArray();
        p.WriteWindows("calib.npz", tokens, calibration, 64);
        p.WriteWindows("verify.npz", tokens.AsSpan(calibration * 64).ToArray(), verify, 64);
        p.WriteRecipe("        - { metric: top1_agreement, min: 0.5 }");
        return p;
    }

    public void WriteRecipe(string thresholds)
    {
        var steps = string.Join("\n", _steps.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(s => "      - " + s));
        File.WriteAllText(PathOf("compression.yaml"), $$"""
            version: 1
            cache: { max_size_mb: 1024 }
            models:
              - name: model
                source: models/model.onnx
                calibration: { data: calib.npz, samples: {{_calibration}} }
                steps:
            {{steps}}
                verify:
                  data: verify.npz
                  thresholds:
            {{thresholds}}

            """.ReplaceLineEndings("\n"));
    }

    /// <summary>Multiplies the weight of node <paramref name="node"/> by <paramref name="factor"/> in the model file.</summary>
    public void ScaleWeight(string node, float factor)
    {
        var model = OnnxModel.Load(ModelPath);
        var name = model.Graph.FindNode(node)!.Inputs[1];
        var old = model.Graph.Initializers[name];
        var values = old.ToFloatArray();
        for (var i = 0; i < values.Length; i++)
        {
            values[i] *= factor;
        }

        model.Graph.SetInitializer(OnnxTensor.FromFloats(name, old.Dims, values));
        model.Save(ModelPath);
    }

    public CompressResult Compress(string output, bool useCache = true, IDiagnosticSink? sink = null)
    {
        var recipe = RecipeLoader.Load(PathOf("compression.yaml"), RecipeLoadOptions.Default, sink ?? new ListDiagnosticSink())
            ?? throw new InvalidOperationException("the bench recipe is invalid");
        return ModelCompressEngine.Compress(recipe, new CompressOptions(PathOf(output)) { CacheDirectory = useCache ? CacheDir : null },
            sink ?? new ListDiagnosticSink(), CancellationToken.None);
    }

    /// <summary>A run with the local cache in <paramref name="cacheDir"/> reading through <paramref name="remote"/>.</summary>
    public CompressResult Compress(string output, string cacheDir, ModelCompress.Cache.RemoteCacheOptions remote, IDiagnosticSink sink)
    {
        var recipe = RecipeLoader.Load(PathOf("compression.yaml"), RecipeLoadOptions.Default, sink)
            ?? throw new InvalidOperationException("the bench recipe is invalid");
        return ModelCompressEngine.Compress(recipe, new CompressOptions(PathOf(output)) { CacheDirectory = PathOf(cacheDir), RemoteCache = remote },
            sink, CancellationToken.None);
    }

    public void Dispose() => _dir.Dispose();

    private static long[] Bytes(string fixture) =>
        [.. Encoding.UTF8.GetBytes(File.ReadAllText(Fixtures.Require(fixture))).Select(b => (long)b)];

    private void WriteWindows(string name, long[] tokens, int windows, int length)
    {
        var data = tokens.AsSpan(0, windows * length).ToArray();
        NpzArchive.WriteFile(PathOf(name), new Dictionary<string, NdArray> { [Llama2cImporter.InputName] = NdArray.FromInt64(data, windows, length) });
    }
}
