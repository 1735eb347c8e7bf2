using ModelCompress.Analysis;
using ModelCompress.Onnx;

namespace ModelCompress.Passes;

/// <summary>
/// Compact storage of the final weights: every constant tensor of the model (initializers and Constant nodes, in the
/// main graph and in If/Loop/Scan subgraphs) whose equal entries are many enough that values + 1-bit mask + the
/// rebuilding nodes take fewer bytes than the dense tensor is replaced by that form (<see cref="SparseWeightGraph"/>),
/// under its own name, so its consumers (MatMul, Gemm, Conv, DequantizeLinear, ...) are unchanged. Runs after the last
/// step, so a pruned weight that was then quantized is stored as its int8 codes. Lossless: the rebuilt bytes equal
/// the dense ones.
/// </summary>
internal static class SparseWeightPacker
{
    /// <summary>
    /// Packs <paramref name="model"/> in place. A model below opset 11 is raised to 13 first when that is safe;
    /// otherwise nothing is packed and the result says why.
    /// </summary>
    public static SparseStorageResult Pack(OnnxModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var plan = Plan(model);
        if (plan.Count == 0)
        {
            return new SparseStorageResult(0, 0, 0, null);
        }

        var opset = model.GetOpsetVersion(string.Empty) ?? 0;
        if (opset < SparseWeightGraph.Opset)
        {
            if (!OpsetUpgrade.CanRaiseTo13(model, out var blocker))
            {
                return new SparseStorageResult(0, 0, 0, $"the model is opset {opset} and cannot be raised to 13 ({blocker})");
            }

            // The raise may rewrite nodes (Constant ones among them): plan again on the raised graph.
            OpsetUpgrade.RaiseTo13(model);
            plan = Plan(model);
        }

        var shared = new Dictionary<OnnxGraph, SparseConstants>();
        var insertAt = new Dictionary<OnnxGraph, int>();
        long dense = 0, packed = 0;
        foreach (var (graph, name, constant, split, denseBytes) in plan)
        {
            if (constant is null)
            {
                graph.RemoveInitializer(name);
            }
            else
            {
                graph.RemoveNode(constant);
            }

            if (!shared.TryGetValue(graph, out var constants))
            {
                constants = SparseConstants.AddTo(graph);
                shared.Add(graph, constants);
            }

            var at = insertAt.GetValueOrDefault(graph);
            SparseWeightGraph.Write(graph, name, split, constants, at);
            insertAt[graph] = at + SparseWeightGraph.NodeCount(split);
            dense += denseBytes;
            packed += split.PayloadBytes;
        }

        return new SparseStorageResult(plan.Count, dense, packed, null);
    }

    /// <summary>Every constant tensor that packing makes smaller, in graph and file order.</summary>
    private static List<(OnnxGraph Graph, string Name, OnnxNode? Constant, SparseSplit Split, long DenseBytes)> Plan(OnnxModel model)
    {
        var plan = new List<(OnnxGraph Graph, string Name, OnnxNode? Constant, SparseSplit Split, long DenseBytes)>();
        foreach (var graph in model.Graph.AllGraphsRecursive().ToList())
        {
            foreach (var (name, tensor) in graph.Initializers.ToList())
            {
                if (!graph.Outputs.Any(o => o.Name == name) && SparseWeightGraph.Split(tensor) is { } split)
                {
                    plan.Add((graph, name, null, split, tensor.GetRawData().Length));
                }
            }

            foreach (var node in graph.Nodes.Where(n => n is { OpType: "Constant", IsDefaultDomain: true, Outputs.Count: 1 }).ToList())
            {
                if (node.GetTensor("value") is { } tensor && !graph.Outputs.Any(o => o.Name == node.Outputs[0])
                    && SparseWeightGraph.Split(tensor) is { } split)
                {
                    plan.Add((graph, node.Outputs[0], node, split, tensor.GetRawData().Length));
                }
            }
        }

        return plan;
    }
}
