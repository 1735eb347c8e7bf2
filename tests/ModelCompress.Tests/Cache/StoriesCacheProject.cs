using ModelCompress.Data;
using ModelCompress.Engine;
using ModelCompress.Importers;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Testing;
using ModelCompress.Tests.Engine;
using ModelCompress.Tests.Importers;
using ModelCompress.Text;

namespace ModelCompress.Tests.Cache;

/// <summary>
/// A project around the real stories260K model (imported from the llama2.c fixture): models/stories.onnx, token
/// windows of Tiny Shakespeare for calibration and verification, and a weight-only int8 recipe with a cache.
/// </summary>
internal sealed class StoriesCacheProject : IDisposable
{
    /// <summary>The last block's feed-forward down projection: its output feeds only the final norm and the classifier.</summary>
    public const string LateLayer = "layers.4.feed_forward.w2";

    /// <summary>The first block's attention output projection: every later layer reads values it changes.</summary>
    public const string EarlyLayer = "layers.0.attention.wo";

    public const int SeqLen = 32;

    private static readonly Lazy<byte[]> ModelBytes = new(() => Llama2cImporter.Import(StoriesFixture.CheckpointPath, StoriesFixture.TokenizerPath).ToBytes());

    private static readonly Lazy<long[]> Tokens = new(() =>
    {
        var text = File.ReadAllText(Fixtures.Require("data/tinyshakespeare/input.txt"))[..8000];
        return [.. Llama2cTokenizer.Load(StoriesFixture.TokenizerPath).Encode(text, bos: false, eos: false).Select(t => (long)t)];
    });

    private readonly TestProject _project = new();

    private readonly string _steps;

    public StoriesCacheProject(
        string thresholds = "        - { metric: top1_agreement, min: 0.5 }",
        int calibrationSamples = 8,
        string steps = "      - quantize: { mode: weight_only }")
    {
        _steps = steps;
        File.WriteAllBytes(Directory.CreateDirectory(PathOf("models")).FullName + "/stories.onnx", ModelBytes.Value);
        WriteTokens("data/calib.npz", 0, calibrationSamples);
        WriteTokens("data/verify.npz", calibrationSamples, 4);
        WriteRecipe(thresholds);
    }

    public string Root => _project.Root;

    public string ModelPath => PathOf("models/stories.onnx");

    public string CacheDir => PathOf("cache");

    public string PathOf(string relative) => _project.PathOf(relative);

    public void WriteRecipe(string thresholds, string? steps = null) => _project.WriteRecipe($$"""
        version: 1
        cache: { max_size_mb: 64 }
        models:
          - name: stories
            source: models/stories.onnx
            calibration: { data: data/calib.npz, samples: 8 }
            steps:
        {{steps ?? _steps}}
            verify:
              data: data/verify.npz
              thresholds:
        {{thresholds}}
        """);

    public global::ModelCompress.Recipe.Recipe LoadRecipe() => _project.LoadRecipe();

    /// <summary>Scales the weight of layer <paramref name="layer"/> (its MatMul's initializer) in the project's model file.</summary>
    public void ScaleLayerWeight(string layer, float factor)
    {
        var model = OnnxModel.Load(ModelPath);
        var name = layer + ".weight";
        var old = model.Graph.Initializers[name];
        var values = old.ToFloatArray();
        for (var i = 0; i < values.Length; i++)
        {
            values[i] *= factor;
        }

        model.Graph.SetInitializer(OnnxTensor.FromFloats(name, old.Dims, values));
        model.Save(ModelPath);
    }

    /// <summary>Runs the engine with the project's cache into <paramref name="output"/>.</summary>
    public CompressResult Compress(string output, ListDiagnosticSink? sink = null, bool useCache = true) =>
        ModelCompressEngine.Compress(
            LoadRecipe(),
            new CompressOptions(PathOf(output)) { CacheDirectory = useCache ? CacheDir : null },
            sink ?? new ListDiagnosticSink(),
            CancellationToken.None);

    public void Dispose() => _project.Dispose();

    private void WriteTokens(string relative, int firstWindow, int windows)
    {
        var tokens = Tokens.Value.AsSpan(firstWindow * SeqLen, windows * SeqLen).ToArray();
        var path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        NpzArchive.WriteFile(path, new Dictionary<string, NdArray> { [Llama2cImporter.InputName] = NdArray.FromInt64(tokens, windows, SeqLen) });
    }
}
