using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Testing;

namespace ModelCompress.Onnx.Tests;

public class BuilderAndSampleTests
{
    [Fact]
    public void Sample_models_are_byte_identical_across_calls_and_differ_by_seed()
    {
        Assert.Equal(SampleModels.Mlp().ToBytes(), SampleModels.Mlp().ToBytes());
        Assert.Equal(SampleModels.ConvNet(seed: 4).ToBytes(), SampleModels.ConvNet(seed: 4).ToBytes());
        Assert.Equal(SampleModels.GptBlock(seed: 9).ToBytes(), SampleModels.GptBlock(seed: 9).ToBytes());
        Assert.NotEqual(SampleModels.GptBlock(seed: 9).ToBytes(), SampleModels.GptBlock(seed: 10).ToBytes());
    }

    [Fact]
    public void Sample_weights_have_a_pinned_hash_so_any_generator_change_is_noticed()
    {
        // Determinism across machines and runtimes: the generator uses integer arithmetic and exact IEEE operations.
        var w = SampleModels.Mlp().Graph.Initializers["fc1.weight"];
        var again = new DeterministicRandom(1).Uniform(16 * 32, 0.25f);
        Assert.Equal(again, w.ToFloatArray());
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(SampleModels.Mlp().ToBytes()));
        Assert.True(hash == "9b8b15205a086015d878035ee9665ad115f21aad37aebc27637a05b0a6bb23d2", hash);
    }

    [Fact]
    public void GptBlock_has_the_documented_structure_and_runs()
    {
        var model = SampleModels.GptBlock(dModel: 32, heads: 4);
        var ops = model.Graph.Nodes.Select(n => n.OpType).ToList();
        Assert.Equal(2, ops.Count(o => o == "LayerNormalization"));
        Assert.Equal(6, ops.Count(o => o == "MatMul")); // qkv, qk, pv, proj, fc, fc-proj
        Assert.Single(ops, "Softmax");
        Assert.Single(ops, "Gelu");
        Assert.Equal(20, model.GetOpsetVersion(""));
        var x = new DeterministicRandom(2).Uniform(1 * 7 * 32, 1f);
        var y = OrtRun.Run(model.ToBytes(), OrtInput.Float("x", x, 1, 7, 32))[0];
        Assert.Equal([1L, 7, 32], y.Shape);
        Assert.All(y.Floats, v => Assert.True(float.IsFinite(v)));
        Assert.NotEqual(x, y.Floats);
    }

    [Fact]
    public void ConvNet_runs_on_MNIST_digits()
    {
        var (images, _) = Mnist.TestSet(2);
        var y = OrtRun.Run(SampleModels.ConvNet().ToBytes(), OrtInput.Float("input", [.. images[0], .. images[1]], 2, 1, 28, 28))[0];
        Assert.Equal([2L, 10], y.Shape);
        var logits = y.Floats;
        Assert.All(logits, v => Assert.True(float.IsFinite(v)));
        Assert.NotEqual(logits[..10], logits[10..]);
    }

    [Fact]
    public void Builder_makes_a_runnable_model_with_symbolic_axes_and_metadata()
    {
        var b = new OnnxModelBuilder("tiny").Producer("tests", "1.0").Metadata("purpose", "unit test");
        var g = b.Graph;
        g.Input("a", TensorDataType.Float, "n", 2).Input("b", TensorDataType.Float, "n", 2);
        var sum = g.Op("Add", "a", "b");
        var scaled = g.Op("Mul", [sum, g.Initializer("two", [], [2f])], configure: null);
        var y = g.Op("Softmax", [scaled], n => n.SetAttribute("axis", -1));
        g.Graph.RenameValue(y, "y");
        g.Output("y", TensorDataType.Float, "n", 2);
        var model = b.Build();

        Assert.Equal(OnnxModelBuilder.DefaultOpset, model.GetOpsetVersion("ai.onnx"));
        Assert.Equal(OnnxModel.DefaultIrVersion, model.IrVersion);
        Assert.Equal("unit test", model.MetadataProps["purpose"]);
        Assert.Empty(model.Validate());
        var outputs = OrtRun.Run(model.ToBytes(), OrtInput.Float("a", [0, 1, 2, 3], 2, 2), OrtInput.Float("b", [0, 0, 0, 0], 2, 2));
        var p = outputs[0].Floats;
        Assert.Equal(1f, p[0] + p[1], 5);
        Assert.True(p[1] > p[0]);

        var back = OnnxModel.FromBytes(model.ToBytes());
        Assert.Equal("tests", back.ProducerName);
        Assert.Equal(["n", "2"], back.Graph.Inputs[0].Shape!.Select(d => d.ToString()));
    }

    [Fact]
    public void Opset_imports_treat_ai_onnx_as_the_default_domain()
    {
        var model = SampleModels.Mlp();
        Assert.Equal(17, model.GetOpsetVersion(""));
        Assert.Equal(17, model.GetOpsetVersion("ai.onnx"));
        model.SetOpsetImport("ai.onnx", 19);
        Assert.Equal(19, model.OpsetImports[""]);
        Assert.Single(model.OpsetImports);
        Assert.Null(model.GetOpsetVersion("com.microsoft"));
    }

    [Fact]
    public void Save_into_a_path_under_a_file_is_MC1013()
    {
        using var tmp = new TempDirectory();
        File.WriteAllText(tmp.File("blocker"), "x");
        var e = Assert.Throws<ModelCompressException>(() => SampleModels.Mlp().Save(Path.Combine(tmp.File("blocker"), "m.onnx")));
        Assert.Equal("MC1013", e.Code);
    }

    [Fact]
    public void Save_is_atomic_and_records_the_path()
    {
        using var tmp = new TempDirectory();
        var model = SampleModels.Mlp();
        var path = tmp.File("sub/dir/m.onnx");
        model.Save(path);
        Assert.Equal(path, model.FilePath);
        Assert.Equal(Path.GetDirectoryName(path), model.Directory);
        Assert.Equal(model.ToBytes(), File.ReadAllBytes(path));
        Assert.Equal(["m.onnx"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }
}
