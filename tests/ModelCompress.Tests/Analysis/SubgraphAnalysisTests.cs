using ModelCompress.Analysis;
using ModelCompress.Onnx;
using ModelCompress.Testing;

namespace ModelCompress.Tests.Analysis;

/// <summary>The layer model inside If/Loop/Scan subgraphs and on recurrent ops.</summary>
public sealed class SubgraphAnalysisTests
{
    [Fact]
    public void Silero_style_model_has_its_conv_layers_and_lstm_weights_found_in_both_if_branches_from_constant_nodes()
    {
        var analysis = GraphAnalyzer.Analyze(SileroStyleModel.Build());

        Assert.Empty(analysis.Layers);
        // Per branch: the STFT Conv, four encoder Convs and the head Conv.
        Assert.Equal(12, analysis.SubgraphLayers.Count);
        Assert.All(analysis.SubgraphLayers, l =>
        {
            Assert.Equal(LinearLayerKind.Conv, l.Kind);
            Assert.True(l.InSubgraph);
            Assert.True(l.WeightFromConstantNode);
        });
        Assert.Equal(6, analysis.SubgraphLayers.Count(l => l.Name.StartsWith("b16k/", StringComparison.Ordinal)));
        var stft = analysis.SubgraphLayers.Single(l => l.Name == "b16k/stft/Conv");
        Assert.Equal((1, 258), (stft.InFeatures, stft.OutFeatures));
        Assert.Equal(["b16k/decoder/lstm/LSTM:R", "b16k/decoder/lstm/LSTM:W", "b8k/decoder/lstm/LSTM:R", "b8k/decoder/lstm/LSTM:W"],
            analysis.RecurrentWeights.Select(r => r.Name).Order(StringComparer.Ordinal));
        Assert.All(analysis.RecurrentWeights, r => Assert.Equal([1L, 4 * SileroStyleModel.Hidden, SileroStyleModel.Hidden], r.Weight.Dims));
    }

    [Fact]
    public void Loop_body_layer_reads_an_outer_initializer_through_an_outer_reshape_and_a_body_constant()
    {
        var model = SubgraphModels.LoopMatMul(width: 8);

        var analysis = GraphAnalyzer.Analyze(model);

        Assert.Empty(analysis.Layers);
        Assert.Equal(["body/fc1/MatMul", "body/fc2/MatMul"], analysis.SubgraphLayers.Select(l => l.Name));
        var fc1 = analysis.SubgraphLayers[0];
        Assert.Equal([8L, 8], fc1.Weight.Dims);
        Assert.Equal("body/b", fc1.BiasName);
        Assert.Same(model.Graph, ConstantValues.OwnerOf(fc1.Node.Graph!, fc1.WeightName));
        Assert.Same(fc1.Node.Graph, ConstantValues.OwnerOf(fc1.Node.Graph!, "body/w2"));
    }

    [Fact]
    public void Silero_vad_legacy_has_every_conv_and_lstm_weight_found_inside_its_if_branches()
    {
        var analysis = GraphAnalyzer.Analyze(OnnxModel.Load(Fixtures.Require("models/silero-vad-legacy.onnx")));

        Assert.Empty(analysis.Layers);
        Assert.Equal(36, analysis.SubgraphLayers.Count);
        Assert.All(analysis.SubgraphLayers, l => Assert.Equal(LinearLayerKind.Conv, l.Kind));
        Assert.Equal(16, analysis.RecurrentWeights.Count);
        Assert.All(analysis.RecurrentWeights, r => Assert.True(r.InSubgraph));
        var parameters = analysis.SubgraphLayers.Sum(l => l.Weight.ElementCount) + analysis.RecurrentWeights.Sum(r => r.Weight.ElementCount);
        Assert.True(parameters > 400_000, $"{parameters} parameters found");
    }
}
