using ModelCompress.Cache;
using ModelCompress.Calibration;
using ModelCompress.Engine;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Passes;
using ModelCompress.Recipe;
using ModelCompress.Testing;

namespace ModelCompress.Tests.Reliability;

/// <summary>
/// The streaming passes' spill: on a model whose weights lie in external data, each layer's result and the int8
/// weights put in the graph live in an unlinked scratch file rather than in memory, and the model made is the same.
/// </summary>
public sealed class SpillTests
{
    [Fact]
    public void A_spill_file_gives_back_what_was_appended_and_leaves_no_file_behind()
    {
        using var p = new TestProject();
        var folder = Directory.CreateDirectory(p.PathOf("spill")).FullName;
        using var spill = SpillFile.Create(folder);
        var first = spill.Append([1, 2, 3]);
        var second = spill.Append([4, 5]);

        Assert.Equal([1, 2, 3], spill.Read(first));
        Assert.Equal([4, 5], spill.Read(second));
        Assert.Equal(5, spill.Length);
        sbyte[] values = [-128, -1, 0, 7, 127, 3];
        var tensor = spill.Tensor<sbyte>("w", TensorDataType.Int8, [2, 3], values);
        Assert.False(tensor.IsDataInMemory);
        Assert.True(tensor.DataEquals(OnnxTensor.FromInt8("w", [2, 3], values)));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Empty(Directory.GetFileSystemEntries(folder));
        }
    }

    [Theory]
    [InlineData("      - quantize: { mode: dynamic }")]
    [InlineData("      - quantize: { mode: weight_only }")]
    [InlineData("      - quantize: { mode: weight_only, weights: int4, block_size: 32 }")]
    [InlineData("      - quantize: { mode: weight_only, weights: int4, block_size: 16, symmetric_weights: false }")]
    public void An_external_data_model_spills_its_results_and_quantized_weights_and_makes_the_same_model(string steps)
    {
        using var p = TestProject.Mlp(steps: steps, hiddenSize: 128);
        var source = SampleModels.Mlp(inputSize: 64, hiddenSize: 128, outputSize: 10, hiddenLayers: 4);
        p.AddModel("models/model.onnx", source);
        source.Save(p.PathOf("models/external.onnx"), new OnnxSaveOptions { ExternalDataThreshold = 1024 });
        var model = p.LoadRecipe().Models[0];
        var step = model.Steps[0];

        var (inline, inlineOutcomes) = Run(OnnxModel.Load(model.SourcePath), model, step);
        var (external, spilled) = Run(OnnxModel.Load(p.PathOf("models/external.onnx")), model, step);

        Assert.All(inlineOutcomes, o => Assert.Null(o.Spill));
        Assert.True(spilled.Count >= 4, $"{spilled.Count} layers");
        Assert.All(spilled, o => Assert.NotNull(o.Spill));
        Assert.All(spilled, o => Assert.Equal(o.ResultHash, System.Security.Cryptography.SHA256.HashData(o.Result)));
        var quantized = external.Graph.Initializers.Values
            .Where(t => t.DataType is TensorDataType.Int8 or TensorDataType.Int4 or TensorDataType.UInt4 && t.ElementCount >= 64 * 10).ToList();
        Assert.NotEmpty(quantized);
        Assert.All(quantized, t => Assert.False(t.IsDataInMemory, t.Name));

        // The int8 weights are read from the spilled results, not written to the spill a second time; int4's packed codes
        // and block scales (laid out unlike its result) are kept in the spill beside the results.
        var results = spilled.Sum(o => (long)o.Result.Length);
        if (steps.Contains("int4", StringComparison.Ordinal))
        {
            Assert.True(spilled[0].Spill!.Length > results, $"spill {spilled[0].Spill!.Length} B, results {results} B");
        }
        else
        {
            Assert.Equal(results, spilled[0].Spill!.Length);
        }

        Assert.Equal(inline.ToBytes(), external.ToBytes());
    }

    [Theory]
    [InlineData("      - quantize: { mode: dynamic }")]
    [InlineData("      - quantize: { mode: weight_only }")]
    [InlineData("      - quantize: { mode: weight_only, weights: int4, block_size: 32 }")]
    public void A_rebuild_from_the_cache_reads_each_result_from_its_verified_entry_and_a_flipped_byte_is_still_caught(string steps)
    {
        using var p = TestProject.Mlp(steps: steps, hiddenSize: 128);
        SampleModels.Mlp(inputSize: 64, hiddenSize: 128, outputSize: 10, hiddenLayers: 4)
            .Save(p.PathOf("models/external.onnx"), new OnnxSaveOptions { ExternalDataThreshold = 1024 });
        var model = p.LoadRecipe().Models[0];
        var sink = new ListDiagnosticSink();
        var cache = new DirectoryLayerCache(p.PathOf("cache"), sink);
        OnnxModel Load() => OnnxModel.Load(p.PathOf("models/external.onnx"));

        var (cold, computed) = Run(Load(), model, model.Steps[0], cache);
        var (warm, opened) = Run(Load(), model, model.Steps[0], cache);

        Assert.All(computed, o => Assert.False(o.InCacheFile));
        Assert.All(opened, o => Assert.True(o.InCacheFile));
        // Results stay in their entries' files: nothing of them is copied to the run's spill file (int4's graph tensors,
        // laid out unlike its results, are kept there), and no quantized weight is held in memory.
        Assert.All(opened, o => Assert.Same(opened[0].Spill, o.Spill));
        Assert.True(steps.Contains("int4", StringComparison.Ordinal) ? opened[0].Spill!.Length > 0 : opened[0].Spill!.Length == 0);
        Assert.All(
            warm.Graph.Initializers.Values.Where(t => t.DataType is TensorDataType.Int8 or TensorDataType.Int4 && t.ElementCount >= 64 * 10),
            t => Assert.False(t.IsDataInMemory, t.Name));
        Assert.Equal(computed.Select(o => o.ResultHash), opened.Select(o => o.ResultHash));
        Assert.Equal(cold.ToBytes(), warm.ToBytes());
        Assert.Empty(sink.Items);

        // One byte of one layer's stored int8 weights flipped: caught when the entry is opened, computed again.
        var damaged = cache.PathOf(CacheKey.ForLayer(computed[1].Key));
        var bytes = File.ReadAllBytes(damaged);
        bytes[^5] ^= 0x01;
        File.WriteAllBytes(damaged, bytes);
        var (again, outcomes) = Run(Load(), model, model.Steps[0], cache);

        Assert.Equal("MC6001", Assert.Single(sink.Items).Code);
        Assert.False(outcomes[1].InCacheFile);
        Assert.Equal(computed.Count - 1, outcomes.Count(o => o.InCacheFile));
        Assert.Equal(cold.ToBytes(), again.ToBytes());
    }

    private static (OnnxModel Model, IReadOnlyList<LayerOutcome> Outcomes) Run(OnnxModel onnx, ModelRecipe model, StepRecipe step, ILayerCache? cache = null)
    {
        var pass = new Recording(PassFactory.Create(step, model.Name, new ListDiagnosticSink()));
        new PassRunner(cache, EngineInfo.Version).Run(step, pass, onnx, new PassContext(model.Name, step.Location, new ListDiagnosticSink()), null,
            _ => throw new InvalidOperationException("no calibration"), CancellationToken.None);
        return (onnx, pass.Outcomes);
    }

    /// <summary>A streaming pass that keeps the outcomes the runner hands to Apply.</summary>
    private sealed class Recording(ICompressionPass inner) : RecordingPass(inner), IWeightStreamingPass;
}
