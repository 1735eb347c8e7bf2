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
        Assert.Equal(inline.ToBytes(), external.ToBytes());
    }

    private static (OnnxModel Model, IReadOnlyList<LayerOutcome> Outcomes) Run(OnnxModel onnx, ModelRecipe model, StepRecipe step)
    {
        var pass = new Recording(PassFactory.Create(step, model.Name, new ListDiagnosticSink()));
        new PassRunner(null, EngineInfo.Version).Run(step, pass, onnx, new PassContext(model.Name, step.Location, new ListDiagnosticSink()), null,
            _ => throw new InvalidOperationException("no calibration"), CancellationToken.None);
        return (onnx, pass.Outcomes);
    }

    /// <summary>A streaming pass that keeps the outcomes the runner hands to Apply.</summary>
    private sealed class Recording(ICompressionPass inner) : RecordingPass(inner), IWeightStreamingPass;
}
