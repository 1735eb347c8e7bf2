using ModelCompress.Analysis;
using ModelCompress.Onnx;
using ModelCompress.Quantization;
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
}
