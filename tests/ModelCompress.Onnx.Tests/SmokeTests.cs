using Microsoft.ML.OnnxRuntime;
using ModelCompress.Testing;

namespace ModelCompress.Onnx.Tests;

public class SmokeTests
{
    [Fact]
    public void All_fixture_models_load_and_save()
    {
        foreach (var path in Directory.EnumerateFiles(Fixtures.Root, "*.onnx", SearchOption.AllDirectories))
        {
            var m = OnnxModel.Load(path);
            var bytes = m.ToBytes();
            var m2 = OnnxModel.FromBytes(bytes);
            Assert.Equal(m.Graph.Nodes.Count, m2.Graph.Nodes.Count);
            using var s = new InferenceSession(bytes);
            Assert.NotEmpty(s.InputMetadata);
        }
    }

    [Fact]
    public void Sample_models_run_in_ort()
    {
        foreach (var m in new[] { SampleModels.Mlp(), SampleModels.ConvNet(), SampleModels.GptBlock() })
        {
            Assert.Empty(m.Validate());
            using var s = new InferenceSession(m.ToBytes());
            Assert.NotEmpty(s.OutputMetadata);
        }
    }
}
