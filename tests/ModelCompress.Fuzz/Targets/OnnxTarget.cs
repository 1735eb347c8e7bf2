using ModelCompress.Analysis;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;

namespace ModelCompress.Fuzz.Targets;

/// <summary>
/// The ONNX reader, the validator and the layer analysis, as the engine chains them: load the file, validate it, read
/// every initializer's bytes (tensor data is decoded lazily), and analyse the layers of a model the validator accepts.
/// </summary>
public sealed class OnnxTarget : IFuzzTarget
{
    /// <inheritdoc />
    public string Name => "onnx";

    /// <inheritdoc />
    public IEnumerable<byte[]> Seeds()
    {
        yield return File.ReadAllBytes(FuzzSeeds.Fixture("models/mnist-8.onnx"));
        yield return SampleModels.Mlp(8, 8, 4, 1).ToBytes();
        yield return SampleModels.GptBlock(dModel: 8, heads: 2, ffnMultiplier: 2).ToBytes();
        yield return SampleModels.ConvNet(1, 8, 8, 3).ToBytes();
    }

    /// <inheritdoc />
    public void Execute(byte[] input, string scratch)
    {
        var path = Path.Combine(scratch, "model.onnx");
        File.WriteAllBytes(path, input);
        Exercise(OnnxModel.Load(path));
    }

    /// <summary>Validates, reads every tensor and analyses the layers of a loaded model.</summary>
    internal static void Exercise(OnnxModel model)
    {
        var problems = OnnxValidator.Validate(model);
        foreach (var tensor in model.Graph.Initializers.Values)
        {
            _ = tensor.GetRawData();
        }

        if (!problems.Any(d => d.Severity == DiagnosticSeverity.Error))
        {
            _ = GraphAnalyzer.Analyze(model);
        }
    }
}
