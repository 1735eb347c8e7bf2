using ModelCompress.Onnx;

namespace ModelCompress.Analysis;

/// <summary>
/// Raises a model's default-domain opset to 13 so that per-axis QuantizeLinear/DequantizeLinear may be used, keeping
/// what every node computes. Operators fall in three groups (facts from the ONNX operator changelog, versions 7–13):
/// <list type="bullet">
/// <item>unchanged meaning: the entries between the model's opset and 13 only add types, make implicit defaults
/// explicit, accept negative axes, or add optional inputs/attributes whose default is the old behaviour;</item>
/// <item>converted (<see cref="RaiseTo13"/> rewrites the node): Clip (11: min/max attributes become inputs), Slice
/// (10: starts/ends/axes attributes become inputs), Squeeze/Unsqueeze/ReduceSum (13: axes attribute becomes an
/// input), Softmax/LogSoftmax/Hardmax (13: one axis instead of coercion to 2-D at the axis);</item>
/// <item>refused (MC3110 names the first): everything else, e.g. Pad (11), Dropout (12), Split (13),
/// Upsample/Resize, TopK (10), control flow, and operators of other domains.</item>
/// </list>
/// </summary>
public static partial class OpsetUpgrade
{
    /// <summary>The opset in which DequantizeLinear gained the per-axis <c>axis</c> attribute.</summary>
    public const long PerAxisDequantizeOpset = 13;

    /// <summary>The smallest IR version that may import opset 13 (ONNX versioning table: opset 13 ↔ IR 7).</summary>
    public const long IrVersionForOpset13 = 7;

    // Unchanged in meaning from opset 7 to 13. ReduceMean keeps 'axes' as an attribute until 18 (11 only allows
    // negative axes, 13 adds bfloat16); HardSigmoid has one version from 6 to 22.
    private static readonly HashSet<string> SafeFrom7 = new(StringComparer.Ordinal)
    {
        "Abs", "Add", "AveragePool", "Cast", "Ceil", "Concat", "Constant", "Conv", "Div", "Elu", "Erf", "Exp",
        "Flatten", "Floor", "Gather", "Gemm", "GlobalAveragePool", "GlobalMaxPool", "HardSigmoid", "Identity",
        "LeakyRelu", "Log", "LRN", "MatMul", "MaxPool", "Mul", "Neg", "Pow", "PRelu", "Reciprocal", "ReduceMean",
        "Relu", "Reshape", "Selu", "Shape", "Sigmoid", "Softplus", "Softsign", "Sqrt", "Sub", "Tanh", "Transpose",
    };

    // Variadic Max/Min/Sum/Mean broadcast only from opset 8; BatchNormalization dropped 'spatial' in 9.
    private static readonly HashSet<string> SafeFrom9 = new(StringComparer.Ordinal) { "BatchNormalization", "Max", "Mean", "Min", "Sum" };

    /// <summary>
    /// Whether every node of <paramref name="model"/> either keeps its meaning at opset
    /// <see cref="PerAxisDequantizeOpset"/> or can be rewritten so that it does; <paramref name="blocker"/> names the
    /// first operator that can be neither.
    /// </summary>
    public static bool CanRaiseTo13(OnnxModel model, out string? blocker)
    {
        ArgumentNullException.ThrowIfNull(model);
        blocker = null;
        var opset = model.GetOpsetVersion(string.Empty) ?? 0;
        if (opset >= PerAxisDequantizeOpset)
        {
            return true;
        }

        if (opset < 7)
        {
            blocker = "opset " + opset;
            return false;
        }

        foreach (var graph in model.Graph.AllGraphsRecursive())
        {
            var types = new ValueFacts(graph);
            foreach (var node in graph.Nodes)
            {
                if (!IsSafe(node, opset) && !CanConvert(node, opset, types))
                {
                    blocker = node.OpType;
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>
    /// Rewrites the nodes whose signature or meaning changes (see the type's remarks), then raises the default opset
    /// to 13 and the IR version to at least 7. Call only after <see cref="CanRaiseTo13"/> returned true; a node that
    /// cannot be converted then throws <see cref="InvalidOperationException"/>.
    /// </summary>
    public static void RaiseTo13(OnnxModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var opset = model.GetOpsetVersion(string.Empty) ?? 0;
        if (opset < PerAxisDequantizeOpset)
        {
            // Materialised first: rewriting a graph must not disturb the enumeration of its subgraphs.
            foreach (var graph in model.Graph.AllGraphsRecursive().ToList())
            {
                var types = new ValueFacts(graph);
                foreach (var node in graph.Nodes.ToList())
                {
                    if (!IsSafe(node, opset))
                    {
                        Convert(node, opset, types);
                    }
                }
            }
        }

        model.SetOpsetImport(string.Empty, PerAxisDequantizeOpset);
        model.IrVersion = Math.Max(model.IrVersion, IrVersionForOpset13);
    }

    private static bool IsSafe(OnnxNode node, long opset) =>
        node.IsDefaultDomain &&
        (SafeFrom7.Contains(node.OpType) || (opset >= 9 && SafeFrom9.Contains(node.OpType)));
}
