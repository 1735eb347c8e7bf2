using System.Collections.Immutable;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelCompress.Cache;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Passes;
using ModelCompress.Recipe;

namespace ModelCompress.Tests.Sharing;

/// <summary>The share passes' graphs run in ONNX Runtime and compute exactly what their stored parameters say.</summary>
public sealed class ShareGraphTests
{
    private static readonly SourceLocation At = new("compression.yaml", 1, 1);

    [Theory]
    [InlineData(16, 5, 7)] // 4-bit packed indices, odd count: the Slice path
    [InlineData(16, 4, 6)] // 4-bit packed, even count
    [InlineData(64, 5, 7)] // 8-bit indices
    public void Clustered_weight_graph_runs_in_onnx_runtime_and_equals_the_codebook_weights(int clusters, int k, int n)
    {
        var (model, w) = MatMulModel(k, n, transB: false);
        var pass = new ClusterSharePass(new ShareStep(ShareMethod.Cluster, clusters, null, null, ImmutableArray<ExcludePattern>.Empty, At));

        var results = Run(pass, model);

        var weight = ClusteredWeight.FromBytes(results.Single());
        Assert.True(weight.Codebook.Length <= clusters);
        Assert.Equal(clusters <= 16, model.Graph.Nodes.Any(x => x.OpType == "BitShift"));
        Assert.False(model.Graph.Initializers.ContainsKey("w"));
        // Feeding the identity returns the weight the graph rebuilds: it must be the codebook's, value for value.
        Assert.Equal(weight.Expand(), RunIdentity(model, k, n));
        Assert.True(SharedWeightGraph.TryRead(model.Graph, model.Graph.Nodes.Single(x => x.OpType == "MatMul").Inputs[1], out _, out var back));
        Assert.Equal(weight.Indices, back.Indices);
    }

    [Fact]
    public void Low_rank_graph_is_two_products_that_onnx_runtime_runs_as_A_times_B()
    {
        var (model, _) = MatMulModel(12, 10, transB: true);
        var pass = new LowRankSharePass(new ShareStep(ShareMethod.LowRank, null, 2, null, ImmutableArray<ExcludePattern>.Empty, At));

        var f = LowRankWeight.FromBytes(Run(pass, model).Single());

        Assert.Equal(2, f.Rank);
        Assert.Equal(2, model.Graph.Nodes.Count(x => x.OpType is "MatMul" or "Gemm"));
        var expected = new float[12 * 10];
        for (var i = 0; i < 12; i++)
        {
            for (var j = 0; j < 10; j++)
            {
                expected[(i * 10) + j] = (f.A[i * 2] * f.B[j]) + (f.A[(i * 2) + 1] * f.B[10 + j]);
            }
        }

        var actual = RunIdentity(model, 12, 10);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], 5);
        }
    }

    [Fact]
    public void Low_rank_that_saves_nothing_leaves_the_layer_whole()
    {
        var (model, _) = MatMulModel(4, 4, transB: false);
        var pass = new LowRankSharePass(new ShareStep(ShareMethod.LowRank, null, 2, null, ImmutableArray<ExcludePattern>.Empty, At));

        Assert.Equal(0, LowRankWeight.FromBytes(Run(pass, model).Single()).Rank); // 2·8 = 16 is not below 16
        Assert.Single(model.Graph.Nodes);
    }

    /// <summary>x [k, k] → MatMul (or Gemm with transB) with a random weight → y [k, n].</summary>
    internal static (OnnxModel Model, float[] Weight) MatMulModel(int k, int n, bool transB)
    {
        var random = new Random(k * 31 + n);
        var w = Enumerable.Range(0, k * n).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var b = new OnnxModelBuilder("share");
        b.Graph.Input("x", TensorDataType.Float, (OnnxDimension)k, (OnnxDimension)k);
        if (transB)
        {
            var stored = ModelCompress.Quantization.LayerFitProblem.Transpose(w, k, n);
            b.Graph.Initializer("w", [n, k], stored);
            b.Graph.Node("Gemm", ["x", "w"], ["y"], "layer").SetAttribute("transB", 1L);
        }
        else
        {
            b.Graph.Initializer("w", [k, n], w);
            b.Graph.Node("MatMul", ["x", "w"], ["y"], "layer");
        }

        b.Graph.Output("y", TensorDataType.Float, (OnnxDimension)k, (OnnxDimension)n);
        return (b.Build(), w);
    }

    /// <summary>Finds, computes and applies every layer of <paramref name="pass"/>; returns the results.</summary>
    internal static List<byte[]> Run(ICompressionPass pass, OnnxModel model)
    {
        var context = new PassContext("m", At, new ListDiagnosticSink());
        var layers = pass.FindLayers(model, context);
        var outcomes = layers.Select(l => new LayerOutcome(l, new LayerWorkKey("k"), pass.ComputeLayer(l, null, CancellationToken.None))).ToList();
        pass.Apply(model, outcomes, context);
        Assert.DoesNotContain(model.Validate(), d => d.Severity == DiagnosticSeverity.Error);
        return [.. outcomes.Select(o => o.Result)];
    }

    private static float[] RunIdentity(OnnxModel model, int k, int n)
    {
        var eye = new float[k * k];
        for (var i = 0; i < k; i++)
        {
            eye[(i * k) + i] = 1f;
        }

        using var session = new InferenceSession(model.ToBytes());
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(eye, [k, k]))]);
        var y = results.Single().AsTensor<float>().ToArray();
        Assert.Equal(k * n, y.Length);
        return y;
    }
}
