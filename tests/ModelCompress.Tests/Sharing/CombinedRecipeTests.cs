using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Tests.Cache;

namespace ModelCompress.Tests.Sharing;

/// <summary>
/// Steps combine in the orders a user writes them, end to end through the engine on stories260K: pruning, sharing,
/// distillation, SmoothQuant and int8 each see the model the previous step wrote.
/// </summary>
public sealed class CombinedRecipeTests
{
    private const string Thresholds = "        - { metric: cosine, min: 0.5 }";

    [Fact]
    public void Wanda_2_of_4_then_distill_then_smoothquant_then_static_int8_keeps_the_2_of_4_zeros_in_the_int8_weights()
    {
        using var p = new StoriesCacheProject(Thresholds, steps: string.Join("\n",
            "      - prune: { method: wanda, pattern: \"2:4\", storage: dense }", // reads the zeros in the written weights
            "      - distill: { method: layerwise, teacher: source, rows: 256, epochs: 2 }",
            "      - smoothquant: { alpha: 0.5 }",
            "      - quantize: { mode: static }"));
        var sink = new ListDiagnosticSink();

        var result = p.Compress("out", sink, useCache: false);

        Assert.True(result.Succeeded, string.Join("\n", sink.Items));
        Assert.Equal(["prune", "distill", "smoothquant", "quantize"], result.Report.Models.Single().Steps.Select(s => s.Step));
        var model = OnnxModel.Load(p.PathOf("out/stories.onnx"));
        Assert.Contains(model.Graph.Nodes, n => n.OpType == "QuantizeLinear");
        var checkedLayers = 0;
        foreach (var t in model.Graph.Initializers.Values.Where(t => t.DataType == TensorDataType.Int8 && t.Rank == 2 && t.Dims[0] % 4 == 0 && t.Name.Contains("layers.", StringComparison.Ordinal)))
        {
            // SmoothQuant scales rows and int8 maps 0 to 0: the pattern the pruning wrote (and distillation kept) survives.
            var (k, n) = ((int)t.Dims[0], (int)t.Dims[1]);
            var q = t.AsSpan<sbyte>().ToArray();
            for (var col = 0; col < n; col++)
            {
                for (var k0 = 0; k0 < k; k0 += 4)
                {
                    Assert.True(Enumerable.Range(k0, 4).Count(r => q[(r * n) + col] != 0) <= 2, $"{t.Name} column {col} rows {k0}..{k0 + 3}");
                }
            }

            checkedLayers++;
        }

        Assert.True(checkedLayers >= 30, $"{checkedLayers} int8 weights checked");
    }

    [Fact]
    public void Lowrank_then_distill_then_dynamic_int8_runs_every_factor_in_int8()
    {
        using var p = new StoriesCacheProject(Thresholds, steps: string.Join("\n",
            "      - share: { method: lowrank, rank: 16 }",
            "      - distill: { method: layerwise, teacher: source, rows: 256, epochs: 2 }",
            "      - quantize: { mode: dynamic }"));
        var sink = new ListDiagnosticSink();

        var result = p.Compress("out", sink, useCache: false);

        Assert.True(result.Succeeded, string.Join("\n", sink.Items));
        var steps = result.Report.Models.Single().Steps;
        var factored = steps[0].Layers.Count;
        Assert.True(factored > 0, "no layer was factored");
        var model = OnnxModel.Load(p.PathOf("out/stories.onnx"));
        // Each factored layer is two MatMuls, and dynamic int8 takes both.
        Assert.True(steps[2].Layers.Count >= 2 * factored, $"{steps[2].Layers.Count} dynamic int8 layers for {factored} factored ones");
        Assert.Contains(model.Graph.Nodes, n => n.OpType == "MatMulInteger");
    }
}
