using ModelCompress.Testing;

namespace ModelCompress.Onnx.Tests;

public class ValidatorTests
{
    public static TheoryData<string> Fixtures() => FixtureRoundTripTests.FixtureModels();

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Real_models_validate_without_findings(string relativePath)
    {
        var model = OnnxModel.Load(Testing.Fixtures.Require(relativePath));
        Assert.Empty(model.Validate());
    }

    [Fact]
    public void Sample_models_validate_without_findings()
    {
        Assert.Empty(SampleModels.Mlp().Validate());
        Assert.Empty(SampleModels.ConvNet().Validate());
        Assert.Empty(SampleModels.GptBlock().Validate());
        Assert.Empty(TestGraphs.IfModel().Validate());
    }

    [Fact]
    public void Dangling_input_is_MC1020_naming_node_and_value()
    {
        var model = SampleModels.Mlp();
        model.Graph.RemoveNode(model.Graph.FindNode("/fc1/MatMul")!);
        var d = Assert.Single(model.Validate());
        Assert.Equal("MC1020", d.Code);
        Assert.Equal("/fc1/Add", d.Node);
        Assert.Contains("/fc1/MatMul_output_0", d.Message, StringComparison.Ordinal);
        Assert.Equal(ModelCompress.Onnx.Diagnostics.DiagnosticSeverity.Error, d.Severity);
    }

    [Fact]
    public void Value_produced_twice_is_MC1021()
    {
        var model = SampleModels.Mlp();
        model.Graph.AddNode("Relu", ["input"], ["/fc1/MatMul_output_0"], "dup");
        Assert.Contains(model.Validate(), d => d.Code == "MC1021" && d.Message.Contains("dup", StringComparison.Ordinal));

        var shadow = SampleModels.Mlp();
        shadow.Graph.AddNode("Relu", ["input"], ["fc1.weight"], "over_initializer");
        Assert.Contains(shadow.Validate(), d => d.Code == "MC1021");
    }

    [Fact]
    public void Cycle_is_MC1022()
    {
        var model = SampleModels.Mlp();
        var g = model.Graph;
        g.FindNode("/fc1/MatMul")!.Inputs[0] = g.FindNode("/fc2/Relu")!.Outputs[0];
        Assert.Contains(model.Validate(), d => d.Code == "MC1022");
    }

    [Fact]
    public void Domain_without_opset_import_is_MC1023_once_per_domain()
    {
        var model = SampleModels.Mlp();
        model.Graph.InsertNodeOnEdge("input", new OnnxNode("FastGelu", ["input"], ["g1"], "fg1", "com.microsoft"));
        model.Graph.InsertNodeOnEdge("g1", new OnnxNode("FastGelu", ["g1"], ["g2"], "fg2", "com.microsoft"));
        var d = Assert.Single(model.Validate());
        Assert.Equal("MC1023", d.Code);
        Assert.Contains("com.microsoft", d.Message, StringComparison.Ordinal);
        model.SetOpsetImport("com.microsoft", 1);
        Assert.Empty(model.Validate());
    }

    [Fact]
    public void Output_nobody_produces_is_MC1024()
    {
        var model = SampleModels.Mlp();
        model.Graph.Outputs.Add(new OnnxValueInfo("ghost", TensorDataType.Float));
        Assert.Equal("MC1024", Assert.Single(model.Validate()).Code);
    }

    [Fact]
    public void Missing_default_opset_is_MC1025()
    {
        var model = SampleModels.Mlp();
        Assert.True(model.RemoveOpsetImport("ai.onnx"));
        Assert.Equal("MC1025", Assert.Single(model.Validate()).Code);
    }

    [Fact]
    public void Subgraph_reading_an_undefined_outer_value_is_MC1020()
    {
        var model = TestGraphs.IfModel();
        model.Graph.FindNode("branch")!.GetGraph("then_branch")!.Nodes[0].Inputs[1] = "nowhere";
        var d = Assert.Single(model.Validate());
        Assert.Equal("MC1020", d.Code);
        Assert.Equal("then_add", d.Node);
    }

    [Fact]
    public void Diagnostics_carry_the_model_file()
    {
        using var tmp = new TempDirectory();
        var model = SampleModels.Mlp();
        model.Save(tmp.File("m.onnx"));
        model.Graph.Outputs.Add(new OnnxValueInfo("ghost", TensorDataType.Float));
        var d = Assert.Single(model.Validate());
        Assert.Equal(tmp.File("m.onnx"), d.File);
        Assert.StartsWith(tmp.File("m.onnx") + ": error MC1024:", d.ToCanonicalString(), StringComparison.Ordinal);
    }
}
