using System.Runtime.InteropServices;
using System.Security.Cryptography;
using ModelCompress.Analysis;
using ModelCompress.Cache;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Passes;
using ModelCompress.Recipe;
using ModelCompress.Tests.Quantization;

namespace ModelCompress.Tests.Passes;

/// <summary>
/// Layers found without copying their weights (hashed straight from the tensors, values made on first use) must key
/// and compute exactly as layers that carry their values: same bytes, same hash, same work key.
/// </summary>
public sealed class PassLayerTests
{
    private static readonly SourceLocation Here = new("test.yaml", 1, 1);

    private static PassContext Context() => new("m", Here, new ListDiagnosticSink());

    /// <summary>The [K, ΣN_i] matrix of a group, made the plain way: each member's [K, N] view side by side.</summary>
    private static float[] Joined(LayerGroup group)
    {
        var k = group.Channels;
        var total = group.Layers.Sum(l => l.OutFeatures);
        var joined = new float[k * total];
        var offset = 0;
        foreach (var layer in group.Layers)
        {
            var w = layer.WeightKN();
            for (var j = 0; j < k; j++)
            {
                for (var c = 0; c < layer.OutFeatures; c++)
                {
                    joined[(j * total) + offset + c] = w[(j * layer.OutFeatures) + c];
                }
            }

            offset += layer.OutFeatures;
        }

        return joined;
    }

    private static void AssertKeyedLikeTheirValues(IReadOnlyList<PassLayer> layers, IReadOnlyList<float[]> expected)
    {
        Assert.Equal(expected.Count, layers.Count);
        for (var i = 0; i < layers.Count; i++)
        {
            var bytes = MemoryMarshal.AsBytes(expected[i].AsSpan()).ToArray();
            Assert.Equal(SHA256.HashData(bytes), layers[i].WeightHash);
            Assert.Equal(bytes, layers[i].WeightBytes.ToArray());
            Assert.Equal(expected[i], layers[i].Weights);
            var stats = SHA256.HashData([7]);
            Assert.Equal(
                LayerWorkKey.FromStatisticsHash("p", "s", "e", layers[i].Descriptor, bytes, stats),
                LayerWorkKey.FromHashes("p", "s", "e", layers[i].Descriptor, layers[i].WeightHash, stats));
        }
    }

    [Fact]
    public void SmoothQuant_groups_of_one_two_and_three_layers_hash_the_bytes_of_their_joined_weights()
    {
        var model = QuantTestModels.SharedInputs();
        var groups = GraphAnalyzer.Analyze(model).Groups;
        Assert.Equal([3, 2, 1], groups.Select(g => g.Layers.Count).Order().Reverse());

        var layers = new SmoothQuantPass(new SmoothQuantStep(0.5, 0.3, 0.7, 0.05, AlphaCombine.Mean, true, Here)).FindLayers(model, Context());

        AssertKeyedLikeTheirValues(layers, [.. groups.Select(Joined)]);
        Assert.All(layers, l => Assert.Equal(l.Parts!.Sum(), (int)l.WeightShape[1]));
    }

    [Fact]
    public void A_transposed_Gemm_group_hashes_its_kn_view()
    {
        var model = SampleModels.ConvNet(classes: 10);
        var groups = GraphAnalyzer.Analyze(model).Groups;
        Assert.Contains(groups, g => g.Layers.Any(l => l.TransposedWeight));

        var layers = new SmoothQuantPass(new SmoothQuantStep(0.5, 0.3, 0.7, 0.05, AlphaCombine.Mean, true, Here)).FindLayers(model, Context());

        AssertKeyedLikeTheirValues(layers, [.. groups.Select(Joined)]);
    }

    [Fact]
    public void Static_quantize_layers_read_their_tensors_without_a_copy_and_key_like_a_copy()
    {
        var model = QuantTestModels.SharedInputs();
        var analysis = GraphAnalyzer.Analyze(model);
        var step = QuantizeTestSupport.Step();

        var layers = new StaticInt8QdqPass(step).FindLayers(model, Context());

        AssertKeyedLikeTheirValues(layers, [.. analysis.Layers.Select(l => l.Weight.ToFloatArray())]);
        Assert.Equal(analysis.Layers[0].Weight.AsSpan<float>().ToArray(), layers[0].WeightValues.ToArray());
    }

    [Fact]
    public void A_layer_given_its_values_keeps_them()
    {
        var model = QuantTestModels.SharedInputs();
        var values = new float[] { 1, -2, 3.5f, float.NaN };
        var layer = new PassLayer(model.Graph.Nodes[0], 1, "w", [2, 2], 1, "x", values);

        Assert.Same(values, layer.Weights);
        Assert.Equal(SHA256.HashData(MemoryMarshal.AsBytes(values.AsSpan())), layer.WeightHash);
    }
}
