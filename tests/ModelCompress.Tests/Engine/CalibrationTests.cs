using ModelCompress.Analysis;
using ModelCompress.Cache;
using ModelCompress.Calibration;
using ModelCompress.Data;
using ModelCompress.Engine;
using ModelCompress.Execution;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Passes;
using ModelCompress.Recipe;
using ModelCompress.Reports;
using ModelCompress.Testing;

namespace ModelCompress.Tests.Engine;

public sealed class CalibrationTests
{
    private static TestProject CalibratedMlp()
    {
        var p = TestProject.Mlp();
        p.AddRandomData("data/calib.npz", 9, ("input", [20, 64]));
        p.WriteRecipe(File.ReadAllText(p.PathOf("compression.yaml"))
            .Replace("    steps:", "    calibration: { data: data/calib.npz, samples: 12 }\n    steps:", StringComparison.Ordinal));
        return p;
    }

    [Fact]
    public void Statistics_of_a_graph_input_match_the_calibration_data_and_intermediate_values_are_observed()
    {
        using var p = CalibratedMlp();
        var recipe = p.LoadRecipe();
        var model = OnnxModel.Load(recipe.Models[0].SourcePath);
        var before = model.ToBytes();
        long seen = 0;

        var stats = ActivationStatisticsCollector.Collect(
            model, ["input", "/fc1/Relu_output_0", "input"], recipe.Models[0].Calibration!, "mlp", (done, _) => seen = done, CancellationToken.None);

        var data = (float[])NpzArchive.ReadFile(p.PathOf("data/calib.npz"))["input"].Data;
        var input = stats["input"];
        Assert.Equal(12, input.Samples);
        Assert.Equal(12, seen);
        for (var c = 0; c < 64; c++)
        {
            var column = Enumerable.Range(0, 12).Select(r => data[(r * 64) + c]).ToList();
            Assert.Equal(column.Min(), input.Min[c]);
            Assert.Equal(column.Max(), input.Max[c]);
            Assert.Equal(column.Max(Math.Abs), input.AbsMax[c]);
        }

        var relu = stats["/fc1/Relu_output_0"];
        Assert.Equal(256, relu.AbsMax.Length);
        Assert.All(relu.Min, m => Assert.True(m >= 0));
        Assert.Contains(relu.Max, m => m > 0);
        Assert.Equal(before, model.ToBytes()); // the caller's model is not changed
    }

    [Fact]
    public void A_pass_that_needs_calibration_gets_each_layers_input_statistics_and_they_enter_the_key()
    {
        using var p = CalibratedMlp();
        var recipe = p.LoadRecipe();
        var modelRecipe = recipe.Models[0];
        var step = modelRecipe.Steps[0];
        var options = new CompressOptions(p.PathOf("out"));
        var pass = new RecordingPass();
        var model = OnnxModel.Load(modelRecipe.SourcePath);
        var context = new PassContext("mlp", step.Location, new ListDiagnosticSink());

        var report = new PassRunner(null, "test").Run(step, pass, model, context, null,
            names => ModelCompressEngine.CollectStatistics(modelRecipe, step, model, names, options, CancellationToken.None), CancellationToken.None);

        Assert.Equal(["input", "/fc1/Relu_output_0", "/fc2/Relu_output_0"], pass.Seen.Select(s => s.Layer));
        Assert.Equal([64, 256, 256], pass.Seen.Select(s => s.Statistics!.AbsMax.Length));
        var withoutStats = LayerWorkKey.Compute(pass.Name, pass.SettingsFingerprint, "test", pass.Layers[0].Descriptor, pass.Layers[0].WeightBytes, []);
        Assert.NotEqual(withoutStats.Hex, report.Layers[0].Key);
    }

    [Fact]
    public void Without_calibration_data_a_pass_that_needs_it_is_MC3016_at_the_step_line()
    {
        using var p = TestProject.Mlp();
        var modelRecipe = p.LoadRecipe().Models[0];
        var model = OnnxModel.Load(modelRecipe.SourcePath);

        var ex = Assert.Throws<ModelCompressException>(() => ModelCompressEngine.CollectStatistics(
            modelRecipe, modelRecipe.Steps[0], model, ["input"], new CompressOptions(p.PathOf("out")), CancellationToken.None));

        Assert.Equal("MC3016", ex.Code);
        Assert.Equal(6, ex.Diagnostic.Line);
    }

    /// <summary>A pass that needs calibration and records what it was given.</summary>
    private sealed class RecordingPass : ICompressionPass
    {
        public List<(string Layer, LayerInputStatistics? Statistics)> Seen { get; } = [];

        public IReadOnlyList<PassLayer> Layers { get; private set; } = [];

        public string Name => "recording";

        public string SettingsFingerprint => "recording/v1";

        public bool RequiresCalibration => true;

        public IReadOnlyList<PassLayer> FindLayers(OnnxModel model, PassContext context) => Layers = [.. GraphAnalyzer.Analyze(model).Layers.Select(PassLayer.Of)];

        public byte[] ComputeLayer(PassLayer layer, LayerInputStatistics? statistics, CancellationToken ct)
        {
            Seen.Add((layer.ActivationName, statistics));
            return [];
        }

        public IReadOnlyList<LayerReport> Apply(OnnxModel model, IReadOnlyList<LayerOutcome> outcomes, PassContext context) =>
            [.. outcomes.Select(o => new LayerReport(o.Layer.Name, o.Layer.OpType, o.Layer.WeightName, o.Layer.WeightShape, o.Key.Hex, 0, 0, null))];
    }
}
