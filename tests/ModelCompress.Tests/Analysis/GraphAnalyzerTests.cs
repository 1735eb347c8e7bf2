using ModelCompress.Analysis;
using ModelCompress.Onnx;
using ModelCompress.Testing;
using ModelCompress.Tests.Quantization;

namespace ModelCompress.Tests.Analysis;

public sealed class GraphAnalyzerTests
{
    [Fact]
    public void Mlp_layers_have_biases_and_a_hidden_layer_folds_into_the_previous_one_through_relu()
    {
        var analysis = GraphAnalyzer.Analyze(SampleModels.Mlp(inputSize: 16, hiddenSize: 32, outputSize: 10, hiddenLayers: 2));

        Assert.Equal(["/fc1/MatMul", "/fc2/MatMul", "/fc3/MatMul"], analysis.Layers.Select(l => l.Name));
        Assert.All(analysis.Layers, l => Assert.NotNull(l.BiasAdd));
        Assert.Equal((16, 32), (analysis.Layers[0].InFeatures, analysis.Layers[0].OutFeatures));
        Assert.Equal(AnchorKind.None, analysis.Groups[0].Anchor.Kind);
        Assert.Equal("the activation is a graph input", analysis.Groups[0].Anchor.Reason);
        var second = analysis.Groups[1].Anchor;
        Assert.Equal(AnchorKind.Linear, second.Kind);
        Assert.True(second.CanFold);
        Assert.Same(analysis.Layers[0], second.PreviousLayer);
    }

    [Fact]
    public void Gpt_block_finds_the_four_weight_layers_but_not_the_attention_products()
    {
        var analysis = GraphAnalyzer.Analyze(SampleModels.GptBlock());

        Assert.Equal(["/attn/c_attn/MatMul", "/attn/c_proj/MatMul", "/mlp/c_fc/MatMul", "/mlp/c_proj/MatMul"], analysis.Layers.Select(l => l.Name));
        Assert.DoesNotContain(analysis.Layers, l => l.Name.StartsWith("/attn/qk", StringComparison.Ordinal) || l.Name.StartsWith("/attn/pv", StringComparison.Ordinal));
        var qkv = analysis.Groups[0];
        Assert.Equal(AnchorKind.LayerNorm, qkv.Anchor.Kind);
        Assert.True(qkv.Anchor.CanFold);
        Assert.Equal("ln_1.weight", qkv.Anchor.ScaleName);
        Assert.Equal("ln_1.bias", qkv.Anchor.BiasName);
        Assert.Equal(AnchorKind.LayerNorm, analysis.Groups[2].Anchor.Kind);
        Assert.False(analysis.Groups[1].Anchor.CanFold);
    }

    [Fact]
    public void Layers_sharing_an_input_form_one_group_with_their_layernorm_or_rmsnorm()
    {
        var analysis = GraphAnalyzer.Analyze(QuantTestModels.SharedInputs());

        var qkv = Assert.Single(analysis.Groups, g => g.Activation == "ln_out");
        Assert.Equal(["/q/MatMul", "/k/MatMul", "/v/MatMul"], qkv.Layers.Select(l => l.Name));
        Assert.Equal(AnchorKind.LayerNorm, qkv.Anchor.Kind);
        var gateUp = Assert.Single(analysis.Groups, g => g.Activation == "rms_out");
        Assert.Equal(["/gate/MatMul", "/up/MatMul"], gateUp.Layers.Select(l => l.Name));
        Assert.Equal(AnchorKind.RmsNorm, gateUp.Anchor.Kind);
        Assert.Equal("rms.weight", gateUp.Anchor.ScaleName);
        Assert.True(gateUp.Anchor.CanFold);
        var down = Assert.Single(analysis.Groups, g => g.Layers[0].Name == "/down/MatMul");
        Assert.Equal(AnchorKind.None, down.Anchor.Kind);
    }

    [Fact]
    public void An_activation_read_by_another_op_cannot_take_the_fold()
    {
        var model = SampleModels.GptBlock();
        var ln = model.Graph.Nodes.Single(n => n.Name == "/ln_1/LayerNormalization").Outputs[0];
        model.Graph.AddNode("Relu", [ln], ["extra"], "/extra/Relu");
        model.Graph.Outputs.Add(new OnnxValueInfo("extra", TensorDataType.Float));

        var anchor = GraphAnalyzer.Analyze(model).Groups[0].Anchor;

        Assert.Equal(AnchorKind.LayerNorm, anchor.Kind);
        Assert.False(anchor.CanFold);
        Assert.Contains("Relu", anchor.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Char_gpt_has_25_linear_layers_with_lm_head_and_layernorm_fed_qkv()
    {
        var model = OnnxModel.Load(Fixtures.Require("models/char-gpt/char-gpt-6l384.onnx"));

        var analysis = GraphAnalyzer.Analyze(model);

        Assert.Equal(25, analysis.Layers.Count);
        Assert.All(analysis.Layers, l => Assert.Equal(LinearLayerKind.MatMul, l.Kind));
        Assert.Equal("/lm_head/MatMul", analysis.Layers[^1].Name);
        Assert.Null(analysis.Layers[^1].BiasName);
        Assert.Equal((384, 256), (analysis.Layers[^1].InFeatures, analysis.Layers[^1].OutFeatures));
        for (var block = 0; block < 6; block++)
        {
            var qkv = analysis.Groups.Single(g => g.Layers[0].Name == $"/blocks.{block}/attn/qkv/MatMul");
            Assert.Equal((384, 1152), (qkv.Layers[0].InFeatures, qkv.Layers[0].OutFeatures));
            Assert.Equal(AnchorKind.LayerNorm, qkv.Anchor.Kind);
            Assert.Equal($"/blocks.{block}/ln_1/LayerNormalization", qkv.Anchor.Node!.Name);
            Assert.True(qkv.Anchor.CanFold, qkv.Anchor.Reason); // the LN output also feeds a Shape, which reads no values
        }

        Assert.Equal(["/wte/Gather", "/wpe/Gather"], analysis.Embeddings.Select(e => e.Name));
    }

    [Fact]
    public void PP_OCRv4_weights_held_in_constant_nodes_are_found()
    {
        var model = OnnxModel.Load(Fixtures.Require("models/ppocrv4/ch_PP-OCRv4_rec_infer.onnx"));
        Assert.DoesNotContain(model.Graph.Initializers.Values, t => t.ElementCount > 1024);

        var analysis = GraphAnalyzer.Analyze(model);

        Assert.Equal(47, analysis.Layers.Count);
        Assert.All(analysis.Layers, l => Assert.True(l.WeightFromConstantNode));
        Assert.Contains(analysis.Layers, l => l.Kind == LinearLayerKind.MatMul && l.Name == "p2o.MatMul.0" && l.InFeatures == 120 && l.OutFeatures == 360);
        Assert.Contains(analysis.Layers, l => l.Kind == LinearLayerKind.Conv);
        var first = analysis.Groups.Single(g => g.Layers[0].Name == "p2o.MatMul.0");
        Assert.Equal(AnchorKind.LayerNorm, first.Anchor.Kind); // LayerNorm spelled as ops: Add(Mul(x̂, γ), β)
        Assert.NotNull(first.Anchor.BiasNode);
    }

    [Fact]
    public void Mnist_matmul_weight_behind_a_reshape_of_a_constant_is_found()
    {
        var model = OnnxModel.Load(Fixtures.Require("models/mnist-8.onnx"));

        var analysis = GraphAnalyzer.Analyze(model);

        Assert.Equal(["Convolution28", "Convolution110", "Times212"], analysis.Layers.Select(l => l.Name));
        var matMul = analysis.Layers[2];
        Assert.Equal((256, 10), (matMul.InFeatures, matMul.OutFeatures));
        Assert.Equal([256L, 10L], matMul.Weight.Dims);
        Assert.Equal("Parameter194", matMul.BiasName);
        Assert.Equal((1, 8), (analysis.Layers[0].InFeatures, analysis.Layers[0].OutFeatures));
    }

    [Fact]
    public void Gemm_with_transposed_weight_reports_its_kn_view()
    {
        var model = SampleModels.ConvNet(classes: 10);
        var gemm = GraphAnalyzer.Analyze(model).Layers.Single(l => l.Kind == LinearLayerKind.Gemm);
        var stored = gemm.Weight.ToFloatArray();

        var kn = gemm.WeightKN();

        Assert.True(gemm.TransposedWeight);
        Assert.Equal(0, gemm.OutputChannelAxis);
        Assert.Equal(stored[(3 * gemm.InFeatures) + 5], kn[(5 * gemm.OutFeatures) + 3]);
        Assert.Equal("head.bias", gemm.BiasName);
    }
}
