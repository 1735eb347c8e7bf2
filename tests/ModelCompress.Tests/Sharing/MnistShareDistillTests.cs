using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelCompress.Analysis;
using ModelCompress.Data;
using ModelCompress.Engine;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Testing;
using ModelCompress.Tests.Engine;

namespace ModelCompress.Tests.Sharing;

/// <summary>mnist-8 (2 Conv + MatMul) through share and distill steps of real recipes.</summary>
public sealed class MnistShareDistillTests
{
    private const int Images = 300;

    private static readonly Lazy<float[]> Pixels = new(() =>
        IdxReader.ReadFile(Fixtures.Require("data/mnist/t10k-images-idx3-ubyte.gz"), Images).ToFloatArray());

    [Fact]
    public void Clustering_16_shrinks_the_model_and_distillation_brings_its_outputs_closer_to_the_teacher()
    {
        using var p = new TestProject();
        var (shared, _) = ShareDistillRun.Run(p, ShareDistillRun.MnistModel("      - share: { method: cluster, clusters: 16 }"), "shared");
        var (distilled, _) = ShareDistillRun.Run(p, ShareDistillRun.MnistModel(
            "      - share: { method: cluster, clusters: 16 }\n      - distill: { method: layerwise, teacher: source, epochs: 8, learning_rate: 0.001 }"), "distilled");

        Assert.Equal("share_cluster", shared.Steps[0].Pass);
        Assert.Equal(3, shared.Steps[0].Layers.Count);
        // 6K weights: biases, shapes and node names weigh as much as the 4-bit indices; the weights shrink 8×.
        Assert.All(shared.Steps[0].Layers, l => Assert.Contains("4-bit indices", l.Note, StringComparison.Ordinal));
        Assert.True(shared.Steps[0].Layers.Sum(l => l.BytesAfter) * 6 < shared.Steps[0].Layers.Sum(l => l.BytesBefore));
        Assert.True(shared.SizeRatio < 0.4, $"size ratio {shared.SizeRatio}");
        Assert.InRange(distilled.SizeRatio - shared.SizeRatio, -0.01, 0.01);
        // The MatMul is the layer distillation re-fits (convolutions are not linear layers of [K, N] rows).
        var fit = Assert.Single(distilled.Steps[1].Layers);
        Assert.StartsWith("clustered: MSE", fit.Note, StringComparison.Ordinal);
        var teacher = Run(Fixtures.Require("models/mnist-8.onnx"));
        var before = MeanAbsDifference(teacher, Run(p.PathOf("shared/mnist.onnx")));
        var after = MeanAbsDifference(teacher, Run(p.PathOf("distilled/mnist.onnx")));
        Assert.True(after < before, $"mean |teacher − student| {before} -> {after}");
    }

    [Fact]
    public void A_pruned_layer_keeps_its_zeros_and_its_closed_form_fit_moves_it_toward_the_teacher()
    {
        using var p = new TestProject();
        var teacherPath = Fixtures.Require("models/mnist-8.onnx");
        var model = OnnxModel.Load(teacherPath);
        var layer = GraphAnalyzer.Analyze(model).Layers.Single(l => l.Kind == LinearLayerKind.MatMul);
        var stored = model.Graph.GetProducer(layer.WeightName) is { OpType: "Reshape" } reshape ? reshape.Inputs[0] : layer.WeightName;
        var values = model.Graph.Initializers[stored].ToFloatArray();
        var threshold = values.Select(Math.Abs).Order().ElementAt(values.Length / 2);
        var pruned = values.Select(v => Math.Abs(v) < threshold ? 0f : v).ToArray();
        model.Graph.SetInitializer(OnnxTensor.FromFloats(stored, model.Graph.Initializers[stored].Dims, pruned));
        p.AddModel("pruned.onnx", model);
        var recipe = ShareDistillRun.MnistModel($"      - distill: {{ teacher: '{teacherPath}', rows: 1024 }}", calibrationSamples: 1024)
            .Replace(teacherPath, p.PathOf("pruned.onnx"), StringComparison.Ordinal)
            .Replace($"'{p.PathOf("pruned.onnx")}'", $"'{teacherPath}'", StringComparison.Ordinal);

        var (report, _) = ShareDistillRun.Run(p, recipe);

        var fit = Assert.Single(report.Steps[0].Layers);
        Assert.StartsWith("float: MSE", fit.Note, StringComparison.Ordinal);
        var output = OnnxModel.Load(p.PathOf("out/mnist.onnx"));
        var distilled = GraphAnalyzer.Analyze(output).Layers.Single(l => l.Kind == LinearLayerKind.MatMul).WeightKN();
        Assert.Equal(pruned.Length, distilled.Length);
        Assert.All(Enumerable.Range(0, pruned.Length), i => Assert.True(pruned[i] != 0 || distilled[i] == 0, $"weight {i} left the mask"));
        Assert.NotEqual(pruned, distilled);
        var teacher = Run(teacherPath);
        var before = MeanAbsDifference(teacher, Run(p.PathOf("pruned.onnx")));
        var after = MeanAbsDifference(teacher, Run(p.PathOf("out/mnist.onnx")));
        Assert.True(after < before, $"mean |teacher − student| {before} -> {after}");
    }

    [Fact]
    public void A_teacher_without_the_students_layers_is_MC4100_naming_the_first_unmatched_layer()
    {
        using var p = new TestProject();
        var recipe = ShareDistillRun.MnistModel(
            $"      - share: {{ method: cluster, clusters: 16 }}\n      - distill: {{ teacher: '{Fixtures.Require("models/openwakeword-hello-deepa.onnx")}' }}",
            calibrationSamples: 8);
        p.WriteRecipe(recipe);
        var sink = new ListDiagnosticSink();

        var e = Assert.Throws<ModelCompressException>(() =>
            ModelCompressEngine.Compress(p.LoadRecipe(), new CompressOptions(p.PathOf("out")), sink, CancellationToken.None));

        Assert.Equal("MC4100", e.Code);
        var first = GraphAnalyzer.Analyze(OnnxModel.Load(Fixtures.Require("models/mnist-8.onnx"))).Layers.Single(l => l.Kind == LinearLayerKind.MatMul);
        Assert.Contains($"'{first.Name}'", e.Diagnostic.Message, StringComparison.Ordinal);
        Assert.Equal(p.PathOf("compression.yaml"), e.Diagnostic.File);
    }

    /// <summary>The model's logits on the first test images.</summary>
    internal static float[] Run(string path)
    {
        using var session = new InferenceSession(path);
        var input = session.InputMetadata.Keys.Single();
        var logits = new List<float>();
        for (var i = 0; i < Images; i++)
        {
            var image = new DenseTensor<float>(Pixels.Value.AsMemory(i * 784, 784), [1, 1, 28, 28]);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor(input, image)]);
            logits.AddRange(results.First().AsTensor<float>());
        }

        return [.. logits];
    }

    internal static double MeanAbsDifference(float[] a, float[] b) => a.Zip(b, (x, y) => (double)Math.Abs(x - y)).Average();
}
