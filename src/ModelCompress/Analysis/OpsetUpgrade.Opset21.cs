using ModelCompress.Onnx;

namespace ModelCompress.Analysis;

/// <summary>
/// Raising a model to opset 21, where DequantizeLinear reads int4/uint4 and takes the blocked form (<c>block_size</c>)
/// that int4 weights need. Facts from the ONNX operator changelog, versions 13–21: the operators listed keep their
/// meaning (later versions only add types, optional inputs or attributes whose default is the old behaviour — e.g.
/// Cast-19's <c>saturate</c> concerns float8 only, Shape-15's <c>start</c>/<c>end</c>); the Reduce operators of
/// opset 18 take <c>axes</c> as an input instead of an attribute and are rewritten, and a Split-18 without a
/// <c>split</c> input must state <c>num_outputs</c>, which is added. Anything else (Resize, other domains, ...) blocks the raise.
/// </summary>
public static partial class OpsetUpgrade
{
    /// <summary>The opset in which DequantizeLinear gained int4/uint4 inputs and <c>block_size</c>.</summary>
    public const long BlockedDequantizeOpset = 21;

    /// <summary>The IR version that introduced int4/uint4 tensors (ONNX versioning table: opset 21 ↔ IR 10).</summary>
    public const long IrVersionForOpset21 = 10;

    private static readonly HashSet<string> SafeFrom13To21 = new(StringComparer.Ordinal)
    {
        "Abs", "Add", "And", "AveragePool", "BatchNormalization", "Cast", "Ceil", "Clip", "Concat", "Constant",
        "ConstantOfShape", "Conv", "Cos", "DequantizeLinear", "Div", "Einsum", "Elu", "Equal", "Erf", "Exp", "Expand",
        "Flatten", "Floor", "Gather", "GatherElements", "Gelu", "Gemm", "GlobalAveragePool", "GlobalMaxPool", "Greater",
        "GreaterOrEqual", "HardSigmoid", "Identity", "LayerNormalization", "LeakyRelu", "Less", "LessOrEqual", "Log",
        "LogSoftmax", "MatMul", "Max", "MaxPool", "Mean", "Min", "Mul", "Neg", "Not", "Or", "Pad", "Pow", "PRelu",
        "QuantizeLinear", "Range", "Reciprocal", "ReduceSum", "Relu", "Reshape", "Shape", "Sigmoid", "Sin", "Slice",
        "Softmax", "Softplus", "Softsign", "Split", "Sqrt", "Squeeze", "Sub", "Sum", "Tanh", "Tile", "Transpose",
        "Trilu", "Unsqueeze", "Where",

        // Control flow and recurrent ops only gained element types from 13 to 21 (If/Loop/Scan-16, -19, -21) or an
        // optional attribute whose default is the old behaviour (LSTM/GRU/RNN-14 'layout'); their bodies are checked
        // node by node like the main graph.
        "If", "Loop", "Scan", "LSTM", "GRU", "RNN",
    };

    // ReduceMean/Max/Min/Prod/L1/L2/LogSum/LogSumExp/SumSquare-18 take 'axes' as an optional input (ReduceSum did at 13).
    private static readonly HashSet<string> AxesToInputAt18 = new(StringComparer.Ordinal)
    {
        "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceMax", "ReduceMean", "ReduceMin", "ReduceProd",
        "ReduceSumSquare",
    };

    /// <summary>Whether <paramref name="model"/> can be raised to opset 21 keeping every node's meaning; <paramref name="blocker"/> names the first that cannot.</summary>
    public static bool CanRaiseTo21(OnnxModel model, out string? blocker)
    {
        ArgumentNullException.ThrowIfNull(model);
        var opset = model.GetOpsetVersion(string.Empty) ?? 0;
        if (opset >= BlockedDequantizeOpset)
        {
            blocker = null;
            return true;
        }

        if (!CanRaiseTo13(model, out blocker))
        {
            return false;
        }

        foreach (var graph in model.Graph.AllGraphsRecursive())
        {
            foreach (var node in graph.Nodes)
            {
                if (!node.IsDefaultDomain || !(SafeFrom13To21.Contains(node.OpType) || AxesToInputAt18.Contains(node.OpType)))
                {
                    blocker = node.Domain.Length > 0 ? node.Domain + "." + node.OpType : node.OpType;
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>Raises <paramref name="model"/> to opset 21 (through 13 when older) and IR ≥ 10. Call only after <see cref="CanRaiseTo21"/>.</summary>
    public static void RaiseTo21(OnnxModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var opset = model.GetOpsetVersion(string.Empty) ?? 0;
        if (opset >= BlockedDequantizeOpset)
        {
            return;
        }

        if (opset < PerAxisDequantizeOpset)
        {
            RaiseTo13(model);
            opset = PerAxisDequantizeOpset;
        }

        if (opset < 18)
        {
            foreach (var graph in model.Graph.AllGraphsRecursive().ToList())
            {
                foreach (var node in graph.Nodes.Where(n => AxesToInputAt18.Contains(n.OpType)).ToList())
                {
                    MoveAxesToInput(node);
                }

                // Split-18 without a 'split' input needs 'num_outputs'; before, it split equally into its outputs.
                foreach (var node in graph.Nodes.Where(n => n.OpType == "Split" && (n.Inputs.Count < 2 || n.Inputs[1].Length == 0)))
                {
                    node.SetAttribute("num_outputs", (long)node.Outputs.Count);
                }
            }
        }

        model.SetOpsetImport(string.Empty, BlockedDequantizeOpset);
        model.IrVersion = Math.Max(model.IrVersion, IrVersionForOpset21);
    }
}
