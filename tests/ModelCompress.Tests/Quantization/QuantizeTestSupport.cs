using System.Collections.Immutable;
using Microsoft.ML.OnnxRuntime;
using ModelCompress.Onnx;
using ModelCompress.Recipe;

namespace ModelCompress.Tests.Quantization;

/// <summary>Quantize steps and ONNX Runtime checks shared by the quantization tests.</summary>
internal static class QuantizeTestSupport
{
    public static readonly SourceLocation Here = new("test.yaml", 1, 1);

    public static QuantizeStep Step(
        QuantizeMode mode = QuantizeMode.Static,
        ActivationRangeMethod method = ActivationRangeMethod.MinMax,
        QuantizeActivationType activations = QuantizeActivationType.UInt8,
        bool perChannel = true,
        params string[] exclude) =>
        new(mode, QuantizeWeightType.Int8, activations, perChannel, true, method, QuantizeStep.DefaultPercentile, QuantizeStep.DefaultBlockSize,
            [.. exclude.Select(Pattern)], Here);

    private static ExcludePattern Pattern(string text) =>
        text.StartsWith("op:", StringComparison.Ordinal) ? new ExcludePattern(ExcludeKind.OpType, text[3..], Here)
        : text.StartsWith("re:", StringComparison.Ordinal) ? new ExcludePattern(ExcludeKind.Regex, text[3..], Here)
        : new ExcludePattern(ExcludeKind.Name, text, Here);

    /// <summary>The op types ONNX Runtime executes after its graph optimizations (shows which QDQ fusions fired).</summary>
    public static ImmutableHashSet<string> OptimizedOps(OnnxModel model)
    {
        var path = Path.Combine(Path.GetTempPath(), "mc-quant-test-" + Guid.NewGuid().ToString("N") + ".onnx");
        try
        {
            using (var options = new SessionOptions { IntraOpNumThreads = 1, OptimizedModelFilePath = path, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL })
            using (new InferenceSession(model.ToBytes(), options))
            {
            }

            return [.. OnnxModel.Load(path).Graph.Nodes.Select(n => n.OpType)];
        }
        finally
        {
            File.Delete(path);
        }
    }
}
