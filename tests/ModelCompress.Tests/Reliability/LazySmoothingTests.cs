using ModelCompress.Analysis;
using ModelCompress.Calibration;
using ModelCompress.Engine;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Passes;
using ModelCompress.Quantization;
using ModelCompress.Recipe;
using ModelCompress.Testing;

namespace ModelCompress.Tests.Reliability;

/// <summary>
/// SmoothQuant on a model whose weights lie in external data: the smoothed weights are lazy tensors (the source's
/// bytes scaled each time they are read), so the smoothed float model costs no memory, and every model made from them
/// is the same as the in-memory path makes.
/// </summary>
public sealed class LazySmoothingTests
{
    [Fact]
    public void Smoothing_an_external_data_model_makes_lazy_weights_with_the_in_memory_paths_bytes()
    {
        using var p = new TestProject();
        var source = SampleModels.GptBlock(dModel: 64, heads: 4);
        source.Save(p.PathOf("external.onnx"), new OnnxSaveOptions { ExternalDataThreshold = 1024 });
        var inline = OnnxModel.FromBytes(source.ToBytes());
        var external = OnnxModel.Load(p.PathOf("external.onnx"));

        var smoothedInline = Smooth(inline);
        var smoothedExternal = Smooth(external);

        Assert.True(smoothedExternal.Count >= 4, $"{smoothedExternal.Count} smoothed weights");
        Assert.Equal(smoothedInline.Count, smoothedExternal.Count);
        Assert.All(smoothedInline, t => Assert.True(t.IsDataInMemory, t.Name));
        Assert.All(smoothedExternal, t => Assert.False(t.IsDataInMemory, t.Name));
        Assert.All(smoothedExternal.Zip(smoothedInline), pair => Assert.True(pair.First.DataEquals(pair.Second), pair.First.Name));

        // Read twice (the weak cache may have dropped the first read): the same bytes each time.
        Assert.All(smoothedExternal, t => Assert.Equal(t.GetRawData().ToArray(), t.GetRawData().ToArray()));
        Assert.Equal(inline.ToBytes(), external.ToBytes());
    }

    [Theory]
    [InlineData("      - smoothquant: { alpha: 0.5 }\n      - quantize: { mode: static }")]
    [InlineData("      - smoothquant: { alpha: 0.5 }")]
    public void An_external_data_model_through_smoothquant_gives_the_in_memory_models_bytes(string steps)
    {
        using var p = TestProject.GptBlock(steps, "        - { metric: cosine, min: 0.0 }");
        OnnxModel.Load(p.PathOf("models/gpt.onnx")).Save(p.PathOf("models/external.onnx"), new OnnxSaveOptions { ExternalDataThreshold = 1024 });
        var recipe = File.ReadAllText(p.Recipe);
        var external = recipe[recipe.IndexOf("  - name: gpt", StringComparison.Ordinal)..]
            .Replace("name: gpt", "name: external", StringComparison.Ordinal)
            .Replace("models/gpt.onnx", "models/external.onnx", StringComparison.Ordinal);
        p.WriteRecipe(recipe.TrimEnd() + "\n" + external);

        p.CompressSucceeded();

        var output = p.PathOf("out");
        Assert.Equal(File.ReadAllBytes(Path.Combine(output, "gpt.onnx")), OnnxModel.Load(Path.Combine(output, "external.onnx")).ToBytes());
    }

    [Fact]
    public void Static_int8_on_an_external_data_model_drops_each_layers_weights_and_spills_its_results_and_int8_weights()
    {
        using var p = TestProject.GptBlock("      - quantize: { mode: static }", "        - { metric: cosine, min: 0.0 }");
        var source = SampleModels.Mlp(inputSize: 64, hiddenSize: 128, outputSize: 10, hiddenLayers: 4);
        source.Save(p.PathOf("models/external.onnx"), new OnnxSaveOptions { ExternalDataThreshold = 1024 });
        var step = p.LoadRecipe().Models[0].Steps[0];

        var (inline, inlineOutcomes) = RunStatic(OnnxModel.FromBytes(source.ToBytes()), step);
        var (external, spilled) = RunStatic(OnnxModel.Load(p.PathOf("models/external.onnx")), step);

        Assert.All(inlineOutcomes, o => Assert.Null(o.Spill));
        Assert.All(inlineOutcomes, o => Assert.True(o.Layer.HoldsWeights, o.Layer.Name));
        Assert.True(spilled.Count >= 4, $"{spilled.Count} layers");
        Assert.All(spilled, o => Assert.NotNull(o.Spill));
        Assert.All(spilled, o => Assert.False(o.Layer.HoldsWeights, o.Layer.Name));
        var quantized = external.Graph.Initializers.Values.Where(t => t.DataType == TensorDataType.Int8 && t.ElementCount >= 64 * 10).ToList();
        Assert.NotEmpty(quantized);
        Assert.All(quantized, t => Assert.False(t.IsDataInMemory, t.Name));
        Assert.Equal(inline.ToBytes(), external.ToBytes());
    }

    /// <summary>Runs the static pass with fixed, uneven input ranges (no calibration run) and keeps its outcomes.</summary>
    private static (OnnxModel Model, IReadOnlyList<LayerOutcome> Outcomes) RunStatic(OnnxModel onnx, StepRecipe step)
    {
        var channels = GraphAnalyzer.Analyze(onnx).Layers.ToDictionary(l => l.InputName, l => l.InFeatures, StringComparer.Ordinal);
        var pass = new Recording(PassFactory.Create(step, "mlp", new ListDiagnosticSink()));
        new PassRunner(null, EngineInfo.Version).Run(step, pass, onnx, new PassContext("mlp", step.Location, new ListDiagnosticSink()), null,
            (names, _) => names.Distinct().ToDictionary(n => n, n =>
            {
                var k = channels[n];
                var min = Enumerable.Range(0, k).Select(j => -1f - (j % 5)).ToArray();
                var max = Enumerable.Range(0, k).Select(j => 2f + (j % 3)).ToArray();
                return new LayerInputStatistics(min, max, [.. min.Zip(max, (a, b) => Math.Max(-a, b))], 8);
            }),
            CancellationToken.None);
        return (onnx, pass.Outcomes);
    }

    /// <summary>Rescales every group with fixed, uneven factors; returns the new weight tensors in group order.</summary>
    private static List<OnnxTensor> Smooth(OnnxModel model)
    {
        var groups = GraphAnalyzer.Analyze(model).Groups;
        foreach (var group in groups)
        {
            var s = Enumerable.Range(0, group.Channels).Select(j => 0.5f + (0.25f * (j % 7))).ToArray();
            SmoothQuantizer.Rescale(model.Graph, group, s, fold: true);
        }

        return [.. groups.SelectMany(g => g.Layers).Select(l => model.Graph.Initializers[l.Node.Inputs[1]]).Distinct()];
    }

    /// <summary>A releasing pass that keeps the outcomes the runner hands to Apply.</summary>
    private sealed class Recording(ICompressionPass inner) : RecordingPass(inner), IWeightReleasingPass;
}
