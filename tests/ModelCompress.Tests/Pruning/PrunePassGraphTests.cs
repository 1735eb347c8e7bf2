using ModelCompress.Cache;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Passes;
using ModelCompress.Recipe;
using ModelCompress.Testing;

namespace ModelCompress.Tests.Pruning;

/// <summary>The pass's graph edits: shared weights, weights in Constant nodes, and the global threshold in the key.</summary>
public sealed class PrunePassGraphTests
{
    private static readonly SourceLocation At = new("compression.yaml", 1, 1);

    private static PruneStep Magnitude(double sparsity, PruneScope scope = PruneScope.Layer) =>
        new(PruneMethod.Magnitude, sparsity, null, [], At) { Scope = scope };

    private static PassContext Context(ListDiagnosticSink sink) => new("m", At, sink);

    /// <summary>Runs the pass's three phases without the engine (no statistics: magnitude only).</summary>
    private static PrunePass Run(OnnxModel model, PruneStep step)
    {
        var pass = new PrunePass(step);
        var context = Context(new ListDiagnosticSink());
        var layers = pass.FindLayers(model, context);
        var outcomes = layers.Select(l => new LayerOutcome(l, new LayerWorkKey("00"), pass.ComputeLayer(l, null, CancellationToken.None))).ToList();
        pass.Apply(model, outcomes, context);
        return pass;
    }

    [Fact]
    public void Two_layers_reading_one_weight_share_one_pruned_initializer_and_the_dense_one_goes()
    {
        var model = SampleModels.Mlp(inputSize: 16, hiddenSize: 16, outputSize: 4, hiddenLayers: 2);
        var matMuls = model.Graph.Nodes.Where(n => n.OpType == "MatMul").ToList();
        var shared = matMuls[1].Inputs[1];
        var replaced = matMuls[2].Inputs[1];
        matMuls[2].Inputs[1] = shared;
        model.Graph.RemoveInitializer(replaced);

        Run(model, Magnitude(0.5));

        Assert.Equal(matMuls[1].Inputs[1], matMuls[2].Inputs[1]);
        Assert.NotEqual(shared, matMuls[1].Inputs[1]);
        Assert.False(model.Graph.Initializers.ContainsKey(shared));
        var pruned = model.Graph.Initializers[matMuls[1].Inputs[1]].ToFloatArray();
        Assert.Equal(128, pruned.Count(v => v == 0));
    }

    [Fact]
    public void Ppocr_weights_in_constant_nodes_are_replaced_the_constants_removed_and_ort_runs_the_result()
    {
        var model = OnnxModel.Load(Fixtures.Require("models/ppocrv4/ch_PP-OCRv4_rec_infer.onnx"));
        var constantsBefore = model.Graph.Nodes.Count(n => n.OpType == "Constant");

        Run(model, Magnitude(0.5));

        var newWeights = model.Graph.Initializers.Values.Where(t => t.Name.Contains("_pruned", StringComparison.Ordinal)).ToList();
        Assert.Equal(47, newWeights.Count);
        Assert.All(newWeights, t => Assert.Equal(0.5, t.ToFloatArray().Count(v => v == 0) / (double)t.ElementCount, 2));
        Assert.True(model.Graph.Nodes.Count(n => n.OpType == "Constant") <= constantsBefore - 47);
        Assert.DoesNotContain(model.Graph.Nodes, n => n.OpType == "Constant" && model.Graph.GetConsumers(n.Outputs[0]).Count == 0);
        var input = model.Graph.Inputs[0].Name;
        var output = OrtRun.Run(model.ToBytes(), OrtInput.Float(input, new float[3 * 48 * 320], 1, 3, 48, 320))[0].Floats;
        Assert.All(output, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void The_global_threshold_is_part_of_the_settings_fingerprint_so_a_change_in_any_layer_rekeys_all()
    {
        var model = SampleModels.Mlp(inputSize: 16, hiddenSize: 32, outputSize: 4, hiddenLayers: 2);
        var changed = SampleModels.Mlp(inputSize: 16, hiddenSize: 32, outputSize: 4, hiddenLayers: 2);
        var first = changed.Graph.Nodes.First(n => n.OpType == "MatMul").Inputs[1];
        var w = changed.Graph.Initializers[first];
        changed.Graph.SetInitializer(OnnxTensor.FromFloats(first, w.Dims, [.. w.ToFloatArray().Select(v => v * 4)]));

        var a = Run(model, Magnitude(0.5, PruneScope.Global)).SettingsFingerprint;
        var b = Run(changed, Magnitude(0.5, PruneScope.Global)).SettingsFingerprint;
        var perLayer = new PrunePass(Magnitude(0.5)).SettingsFingerprint;

        Assert.Contains("|threshold=", a, StringComparison.Ordinal);
        Assert.NotEqual(a, b);
        Assert.DoesNotContain("threshold", perLayer, StringComparison.Ordinal);
    }
}
