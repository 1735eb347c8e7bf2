using ModelCompress.Testing;
using System.Security.Cryptography;
using ModelCompress.Cache;
using ModelCompress.Calibration;
using ModelCompress.Onnx;
using ModelCompress.Passes;
using ModelCompress.Recipe;
using ModelCompress.Tests.Engine;

namespace ModelCompress.Tests.Cache;

public sealed class CalibrationCacheKeyTests
{
    [Fact]
    public void Statistics_read_back_re_encode_to_the_same_bytes_so_layer_keys_do_not_depend_on_the_cache()
    {
        var stats = new Dictionary<string, LayerInputStatistics>(StringComparer.Ordinal)
        {
            ["b/x"] = new([-1f, float.NegativeInfinity], [2f, 0f], [2f, float.NaN], 17, rows: [1f, 2f, 3f, 4f]),
            ["a"] = new([0.5f], [0.75f], [0.75f], 3),
            ["empty"] = new([], [], [], 0),
        };
        var hashes = stats.ToDictionary(p => p.Key, p => SHA256.HashData(p.Value.ToBytes()), StringComparer.Ordinal);

        var index = StatisticsCodec.EncodeIndex(hashes);

        Assert.True(StatisticsCodec.TryDecodeIndex(index, out var back));
        Assert.Equal(hashes.Keys.Order(StringComparer.Ordinal), back.Keys.Order(StringComparer.Ordinal));
        Assert.All(hashes, p => Assert.Equal(p.Value, back[p.Key]));
        Assert.False(StatisticsCodec.TryDecodeIndex(index.AsSpan(0, index.Length - 1), out _));
        Assert.False(StatisticsCodec.TryDecodeIndex([.. index, 0], out _));

        // A part decodes to statistics with the very bytes (so the same layer keys) only under the hash it was stored for.
        foreach (var (name, value) in stats)
        {
            Assert.True(StatisticsCodec.TryDecodePart(value.ToBytes(), hashes[name], out var part));
            Assert.Equal(value.ToBytes(), part.ToBytes());
        }

        Assert.False(StatisticsCodec.TryDecodePart(stats["a"].ToBytes(), hashes["b/x"], out _));
        var flipped = stats["b/x"].ToBytes();
        flipped[^1] ^= 1;
        Assert.False(StatisticsCodec.TryDecodePart(flipped, hashes["b/x"], out _));
        Assert.NotEqual(StatisticsCodec.PartKey(hashes["a"]), StatisticsCodec.PartKey(hashes["b/x"]));
        Assert.Equal(CacheEntryKind.CalibrationStatistics, StatisticsCodec.PartKey(hashes["a"]).Kind);
    }

    [Fact]
    public void The_key_follows_the_model_the_data_the_settings_and_the_values_and_nothing_else()
    {
        using var p = new TestProject();
        p.AddModel("m.onnx", SampleModels.Mlp(inputSize: 8, hiddenSize: 8, outputSize: 2, hiddenLayers: 1));
        p.AddRandomData("calib.npz", 1, ("input", [4, 8]));
        p.AddRandomData("other.npz", 2, ("input", [4, 8]));
        var model = OnnxModel.Load(p.PathOf("m.onnx"));
        var at = new SourceLocation(p.PathOf("compression.yaml"), 1, 1);
        var data = new DataSource(p.PathOf("calib.npz"), DataFormat.Npz, TokenizerKind.None, null, null, null, at);
        var settings = new CalibrationSettings(data, 4, 0, at);
        string[] values = ["input"];
        CacheKey Key(OnnxModel? m = null, CalibrationSettings? s = null, string[]? v = null, string engine = "e") =>
            CalibrationCacheKey.Compute(m ?? model, s ?? settings, v ?? values, engine);

        var baseline = Key();
        var edited = model.Clone();
        var w = edited.Graph.Initializers.Values.First(t => t.Dims.Length == 2);
        var values2 = w.ToFloatArray();
        values2[0] += 1;
        edited.Graph.SetInitializer(OnnxTensor.FromFloats(w.Name, w.Dims, values2));

        Assert.Equal(CacheEntryKind.CalibrationStatistics, baseline.Kind);
        Assert.Equal(baseline, Key(m: model.Clone()));
        Assert.Equal(baseline, Key(s: settings with { Location = new SourceLocation("elsewhere.yaml", 9, 9) }));
        CacheKey[] variants =
        [
            Key(m: edited), Key(s: settings with { Samples = 3 }), Key(s: settings with { Seed = 1 }),
            Key(s: settings with { Data = data with { Path = p.PathOf("other.npz") } }), Key(v: ["input", "/fc1/Relu_output_0"]),
            Key(engine: "f"),
        ];
        Assert.DoesNotContain(baseline, variants);
        Assert.Equal(variants.Length, variants.Distinct().Count());

        // The data's content counts, not its name: rewriting the file with other values changes the key.
        p.AddRandomData("calib.npz", 3, ("input", [4, 8]));
        Assert.NotEqual(baseline, Key());
    }
}
