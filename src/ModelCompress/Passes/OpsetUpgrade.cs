using ModelCompress.Onnx;

namespace ModelCompress.Passes;

/// <summary>
/// Decides whether a model's default-domain opset may be raised to a newer version without changing what any of its
/// nodes computes. Per-axis DequantizeLinear needs opset 13, and older exports (e.g. the model zoo's opset-8 MNIST) are
/// common. The allow-list holds operators whose ONNX changelog entries between opset 7 and 13 only add types, make
/// implicit defaults explicit, or add optional inputs/attributes with the old behaviour as default. Operators whose
/// meaning or signature changed in that span are absent: Softmax/LogSoftmax/Hardmax (13: one axis instead of
/// coercion to 2-D), Clip (11: min/max become inputs), Pad (11), Slice (10), Squeeze/Unsqueeze/ReduceSum/Split (13:
/// attributes become inputs), Dropout (12), Upsample/Resize, TopK (10), and every control-flow operator.
/// </summary>
public static class OpsetUpgrade
{
    /// <summary>The opset in which DequantizeLinear gained the per-axis <c>axis</c> attribute.</summary>
    public const long PerAxisDequantizeOpset = 13;

    /// <summary>The smallest IR version that may import opset 13 (ONNX versioning table: opset 13 ↔ IR 7).</summary>
    public const long IrVersionForOpset13 = 7;

    private static readonly HashSet<string> SafeFrom7 = new(StringComparer.Ordinal)
    {
        "Abs", "Add", "AveragePool", "Cast", "Ceil", "Concat", "Constant", "Conv", "Div", "Elu", "Erf", "Exp",
        "Flatten", "Floor", "Gather", "Gemm", "GlobalAveragePool", "GlobalMaxPool", "Identity", "LeakyRelu", "Log",
        "LRN", "MatMul", "MaxPool", "Mul", "Neg", "Pow", "PRelu", "Reciprocal", "Relu", "Reshape", "Selu", "Shape",
        "Sigmoid", "Softplus", "Softsign", "Sqrt", "Sub", "Tanh", "Transpose",
    };

    // Variadic Max/Min/Sum/Mean broadcast only from opset 8; BatchNormalization dropped 'spatial' in 9.
    private static readonly HashSet<string> SafeFrom9 = new(StringComparer.Ordinal) { "BatchNormalization", "Max", "Mean", "Min", "Sum" };

    /// <summary>
    /// Whether every node of <paramref name="model"/> keeps its meaning when the default opset is raised to
    /// <see cref="PerAxisDequantizeOpset"/>; <paramref name="blocker"/> names the first operator that does not.
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

        foreach (var node in model.Graph.AllNodesRecursive())
        {
            var safe = node.IsDefaultDomain &&
                (SafeFrom7.Contains(node.OpType) || (opset >= 9 && SafeFrom9.Contains(node.OpType)));
            if (!safe)
            {
                blocker = node.OpType;
                return false;
            }
        }

        return true;
    }

    /// <summary>Raises the default opset to 13 and the IR version to at least 7.</summary>
    public static void RaiseTo13(OnnxModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        model.SetOpsetImport(string.Empty, PerAxisDequantizeOpset);
        model.IrVersion = Math.Max(model.IrVersion, IrVersionForOpset13);
    }
}
