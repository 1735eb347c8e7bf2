using ModelCompress.Onnx;

namespace ModelCompress.Analysis;

/// <summary>Layers inside subgraphs and the weights of recurrent ops.</summary>
public static partial class GraphAnalyzer
{
    /// <summary>The recurrent ops whose W and R inputs are weight matrices.</summary>
    private static readonly HashSet<string> RecurrentOps = new(StringComparer.Ordinal) { "LSTM", "GRU", "RNN" };

    /// <summary>
    /// Walks every subgraph under <paramref name="main"/> (If branches, Loop and Scan bodies, depth first) for linear
    /// layers, and every graph for recurrent weights. A subgraph's layer may read its weight from an enclosing graph
    /// (<see cref="ConstantValues"/> resolves names outward); its activation must not be a constant of any scope.
    /// </summary>
    private static (List<LinearLayer> Layers, List<RecurrentWeight> Recurrent) AnalyzeNested(OnnxGraph main)
    {
        var layers = new List<LinearLayer>();
        var recurrent = new List<RecurrentWeight>();
        foreach (var graph in main.AllGraphsRecursive())
        {
            var nested = !ReferenceEquals(graph, main);
            foreach (var node in graph.TopologicalOrder())
            {
                if (!node.IsDefaultDomain)
                {
                    continue;
                }

                if (RecurrentOps.Contains(node.OpType))
                {
                    recurrent.AddRange(TryRecurrent(graph, node));
                }
                else if (nested && TryLinear(graph, node) is { } layer)
                {
                    layers.Add(layer);
                }
            }
        }

        return (layers, recurrent);
    }

    private static IEnumerable<RecurrentWeight> TryRecurrent(OnnxGraph graph, OnnxNode node)
    {
        for (var i = 1; i <= 2 && i < node.Inputs.Count; i++)
        {
            if (node.Inputs[i].Length > 0 && ConstantValues.TryGet(graph, node.Inputs[i], out var w)
                && w.DataType == TensorDataType.Float && w.Rank == 3 && w.ElementCount > 0)
            {
                yield return new RecurrentWeight(node, i, w);
            }
        }
    }
}
