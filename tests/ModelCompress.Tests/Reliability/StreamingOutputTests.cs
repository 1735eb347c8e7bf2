using ModelCompress.Calibration;
using ModelCompress.Data;
using ModelCompress.Engine;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Passes;
using ModelCompress.Recipe;
using ModelCompress.Reports;
using ModelCompress.Testing;

namespace ModelCompress.Tests.Reliability;

/// <summary>
/// The bounded-memory path of the weight-only modes: a model loaded with external data is written with external data
/// (the same model as the in-memory path makes), weights pass through memory one layer at a time, and nothing under a
/// final name exists before the run commits.
/// </summary>
public sealed class StreamingOutputTests
{
    private const string Dynamic = "      - quantize: { mode: dynamic }";

    [Fact]
    public void An_external_data_source_is_written_with_external_data_and_holds_the_same_model_as_the_in_memory_path()
    {
        using var p = new TestProject();
        var fixture = Fixtures.Require("models/char-gpt/char-gpt-6l384.onnx");
        File.Copy(fixture, p.PathOf("inline.onnx"));
        OnnxModel.Load(fixture).Save(p.PathOf("external.onnx"), new OnnxSaveOptions { ExternalDataThreshold = 1024 });
        p.WriteRecipe($"""
            version: 1
            models:
              - name: inline
                source: inline.onnx
                steps:
            {Dynamic}
              - name: external
                source: external.onnx
                steps:
            {Dynamic}
            """);

        var result = p.CompressSucceeded();

        var output = p.PathOf("out");
        Assert.Contains(Path.Combine(output, "external.onnx.data"), result.OutputFiles);
        Assert.False(File.Exists(Path.Combine(output, "inline.onnx.data")));
        var streamed = OnnxModel.Load(Path.Combine(output, "external.onnx"));
        Assert.Contains(streamed.Graph.Initializers.Values, t => t.IsExternal);
        Assert.Equal(File.ReadAllBytes(Path.Combine(output, "inline.onnx")), streamed.ToBytes());
        var external = result.Report.Models.Single(m => m.Name == "external");
        Assert.Equal(new FileInfo(Path.Combine(output, "external.onnx")).Length + new FileInfo(Path.Combine(output, "external.onnx.data")).Length,
            external.OutputBytes);
    }

    [Fact]
    public void A_weight_streaming_pass_holds_one_layers_weights_at_a_time_and_a_plain_pass_holds_them_all()
    {
        using var p = TestProject.Mlp(steps: Dynamic, hiddenSize: 128);
        p.AddModel("models/model.onnx", SampleModels.Mlp(inputSize: 64, hiddenSize: 128, outputSize: 10, hiddenLayers: 6));
        var model = p.LoadRecipe().Models[0];
        var step = model.Steps[0];

        var streaming = Run(new StreamingWatching(PassFactory.Create(step, model.Name, new ListDiagnosticSink())), model, step);
        var plain = Run(new Watching(PassFactory.Create(step, model.Name, new ListDiagnosticSink())), model, step);

        Assert.True(streaming.Layers >= 6, $"{streaming.Layers} layers");
        Assert.Equal(0, streaming.MostOthersHeld);
        Assert.Equal(0, streaming.HeldAfterApply);

        // The same check fails for a pass the runner does not stream: every earlier layer keeps its array.
        Assert.Equal(streaming.Layers - 1, plain.MostOthersHeld);
        Assert.Equal(streaming.Output, plain.Output);
    }

    [Fact]
    public void No_final_named_output_exists_before_the_commit_and_a_cancelled_run_leaves_nothing()
    {
        using var p = TestProject.Mlp(steps: Dynamic);
        SampleModels.Mlp(inputSize: 64, hiddenSize: 256, outputSize: 10, hiddenLayers: 2)
            .Save(p.PathOf("models/model.onnx"), new OnnxSaveOptions { ExternalDataThreshold = 1024 });
        var output = p.PathOf("out");
        string[]? seen = null;
        string[]? staged = null;
        void Watch(CompressProgress progress)
        {
            if (progress.Phase == "verify" && seen is null)
            {
                seen = [.. Directory.GetFileSystemEntries(output).Select(Path.GetFileName)!];
                staged = [.. Directory.GetDirectories(output).SelectMany(Directory.GetFiles).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
                throw new OperationCanceledException();
            }
        }

        Assert.Throws<OperationCanceledException>(() => ModelCompressEngine.Compress(
            p.LoadRecipe(), new CompressOptions(output) { Progress = Watch }, new ListDiagnosticSink(), CancellationToken.None));

        // Mid-run (verification reads the staged model): one temporary folder holds the model beside its data.
        var entry = Assert.Single(seen!);
        Assert.EndsWith(AtomicFile.TempSuffix, entry, StringComparison.Ordinal);
        Assert.Equal(["mlp.onnx", "mlp.onnx.data"], staged!);
        Assert.Empty(Directory.GetFileSystemEntries(output));

        var result = p.CompressSucceeded();
        Assert.Equal(["mlp.onnx", "mlp.onnx.data", "report.html", "report.json"],
            Directory.GetFileSystemEntries(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.True(result.Report.Models[0].Verification!.Passed);
    }

    private sealed record Watched(int Layers, int MostOthersHeld, int HeldAfterApply, byte[] Output);

    private static Watched Run(Watching pass, ModelRecipe model, StepRecipe step)
    {
        var onnx = OnnxModel.Load(model.SourcePath);
        var sink = new ListDiagnosticSink();
        new PassRunner(null, EngineInfo.Version).Run(step, pass, onnx, new PassContext(model.Name, step.Location, sink), null,
            _ => throw new InvalidOperationException("no calibration"), CancellationToken.None);
        return new Watched(pass.Layers.Count, pass.MostOthersHeld, pass.Layers.Count(l => l.HoldsWeights), onnx.ToBytes());
    }

    /// <summary>A pass that records, before each layer's work, how many other layers still hold their weight values.</summary>
    private class Watching(ICompressionPass inner) : ICompressionPass
    {
        public IReadOnlyList<PassLayer> Layers { get; private set; } = [];

        public int MostOthersHeld { get; private set; }

        public string Name => inner.Name;

        public string SettingsFingerprint => inner.SettingsFingerprint;

        public bool RequiresCalibration => inner.RequiresCalibration;

        public IReadOnlyList<PassLayer> FindLayers(OnnxModel model, PassContext context) => Layers = inner.FindLayers(model, context);

        public byte[] ComputeLayer(PassLayer layer, LayerInputStatistics? statistics, CancellationToken ct)
        {
            MostOthersHeld = Math.Max(MostOthersHeld, Layers.Count(l => l != layer && l.HoldsWeights));
            return inner.ComputeLayer(layer, statistics, ct);
        }

        public IReadOnlyList<LayerReport> Apply(OnnxModel model, IReadOnlyList<LayerOutcome> outcomes, PassContext context) =>
            inner.Apply(model, outcomes, context);
    }

    /// <summary>The same, marked as a pass whose layers' weights the runner may drop.</summary>
    private sealed class StreamingWatching(ICompressionPass inner) : Watching(inner), IWeightStreamingPass;
}
