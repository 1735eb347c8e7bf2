using ModelCompress.Analysis;
using ModelCompress.Cache;
using ModelCompress.Calibration;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Passes;
using ModelCompress.Recipe;

namespace ModelCompress.Tests.Passes.Structured;

/// <summary>
/// Runs <see cref="StructuredPrunePass"/> on a model directly (FindLayers → ComputeLayer → Apply) and builds the
/// reference the pruned model must match: the dense model with the consumer's input rows of every removed channel set
/// to zero. A removed channel reaches the output only through those rows, so both compute the same function; any
/// slip in slicing a producer column, a bias or a per-channel constant shows up as a difference.
/// </summary>
internal static class StructuredPruneHarness
{
    public static PruneStep Step(double sparsity, PruneImportance importance, params StructuredTarget[] targets) =>
        new(PruneMethod.Structured, sparsity, null, [], new SourceLocation("compression.yaml", 1, 1))
        {
            Importance = importance,
            Targets = targets.Length > 0 ? [.. targets] : [StructuredTarget.Mlp, StructuredTarget.Heads, StructuredTarget.Conv],
        };

    /// <summary>Prunes <paramref name="model"/> in place; returns the zeroed dense reference, the pass's layers and the kept channels per layer.</summary>
    public static (OnnxModel Zeroed, IReadOnlyList<PassLayer> Layers, List<int[]> Kept, ListDiagnosticSink Sink) Prune(
        OnnxModel model, PruneStep step, Func<PassLayer, LayerInputStatistics?>? statistics = null)
    {
        var zeroed = model.Clone();
        var sink = new ListDiagnosticSink();
        var context = new PassContext("model", step.Location, sink);
        var pass = new StructuredPrunePass(step);
        var layers = pass.FindLayers(model, context);
        var outcomes = new List<LayerOutcome>();
        var kept = new List<int[]>();
        foreach (var layer in layers)
        {
            var result = pass.ComputeLayer(layer, statistics?.Invoke(layer), CancellationToken.None);
            var groups = (int)layer.WeightShape[0];
            var size = (int)layer.WeightShape[1];
            var keep = ChannelImportance.Decode(result, groups);
            kept.Add(keep);
            ZeroRemovedRows(zeroed, layer.Node.Name, [.. keep.SelectMany(g => Enumerable.Range(g * size, size))], groups * size);
            outcomes.Add(new LayerOutcome(layer, LayerWorkKey.FromHashes(pass.Name, pass.SettingsFingerprint, "test", layer.Descriptor, layer.WeightHash, new byte[32]), result));
        }

        pass.Apply(model, outcomes, context);
        return (zeroed, layers, kept, sink);
    }

    /// <summary>Sets the consumer's input rows (MatMul: weight rows; Conv: kernel input channels) of removed channels to 0.</summary>
    private static void ZeroRemovedRows(OnnxModel dense, string consumerName, int[] keep, int channels)
    {
        var layer = GraphAnalyzer.Analyze(dense).FindLayer(consumerName) ?? throw new InvalidOperationException(consumerName);
        Assert.True(dense.Graph.Initializers.ContainsKey(layer.WeightName), $"the test zeroes initializer weights only ({layer.WeightName})");
        var w = layer.Weight.ToFloatArray();
        var dims = layer.Weight.Dims;
        var axis = layer.Kind == LinearLayerKind.Conv ? 1 : 1 - layer.OutputChannelAxis;
        long inner = 1;
        for (var i = axis + 1; i < dims.Length; i++)
        {
            inner *= dims[i];
        }

        var outer = w.LongLength / (channels * inner);
        var removed = Enumerable.Range(0, channels).Except(keep).ToList();
        for (long o = 0; o < outer; o++)
        {
            foreach (var j in removed)
            {
                Array.Clear(w, (int)(((o * channels) + j) * inner), (int)inner);
            }
        }

        dense.Graph.SetInitializer(OnnxTensor.FromFloats(layer.WeightName, dims, w));
    }

    /// <summary>Largest |a − b| over two equally long outputs.</summary>
    public static double MaxAbsDifference(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        var max = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            Assert.False(float.IsNaN(a[i]) || float.IsNaN(b[i]));
            max = Math.Max(max, Math.Abs(a[i] - b[i]));
        }

        return max;
    }
}
