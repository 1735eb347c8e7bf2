using ModelCompress.Onnx;

namespace ModelCompress.Analysis;

public static partial class OpsetUpgrade
{
    /// <summary>
    /// Element types and ranks of a graph's values, propagated forward from what the graph declares (inputs, outputs,
    /// value_info, weights). Exports often declare nothing in between, and the rewrites need the element type of Clip's
    /// input (for its min/max scalars) and the rank of Softmax's input (to know whether its axis is the last one). Only
    /// operators whose output type/rank follows plainly from their inputs are modelled; anything else stays unknown,
    /// and an unknown fact makes the rewrite refuse (Clip) or take the rank-independent form (Softmax).
    /// </summary>
    private sealed class ValueFacts
    {
        // Output type = type of input 0 (elementwise, layout and pooling operators of the span 7–13).
        private static readonly HashSet<string> SameTypeAsFirst = new(StringComparer.Ordinal)
        {
            "Abs", "Add", "AveragePool", "BatchNormalization", "Ceil", "Clip", "Concat", "Conv", "Div", "Dropout", "Elu",
            "Erf", "Exp", "Flatten", "Floor", "Gather", "Gemm", "GlobalAveragePool", "GlobalMaxPool", "Hardmax",
            "HardSigmoid", "Identity", "LeakyRelu", "Log", "LogSoftmax", "LRN", "MatMul", "Max", "MaxPool", "Mean", "Min",
            "Mul", "Neg", "Pow", "PRelu", "Reciprocal", "ReduceMax", "ReduceMean", "ReduceMin", "ReduceSum", "Relu",
            "Reshape", "Selu", "Sigmoid", "Slice", "Softmax", "Softplus", "Softsign", "Sqrt", "Squeeze", "Sub", "Sum",
            "Tanh", "Transpose", "Unsqueeze",
        };

        // Output rank = rank of input 0.
        private static readonly HashSet<string> SameRankAsFirst = new(StringComparer.Ordinal)
        {
            "Abs", "AveragePool", "BatchNormalization", "Cast", "Ceil", "Clip", "Concat", "Conv", "Dropout", "Elu", "Erf",
            "Exp", "Floor", "GlobalAveragePool", "GlobalMaxPool", "Hardmax", "HardSigmoid", "Identity", "LeakyRelu", "Log",
            "LogSoftmax", "LRN", "MaxPool", "Neg", "Reciprocal", "Relu", "Selu", "Sigmoid", "Slice", "Softmax", "Softplus",
            "Softsign", "Sqrt", "Tanh", "Transpose",
        };

        // Rank = the largest input rank (multidirectional broadcasting).
        private static readonly HashSet<string> Broadcasting = new(StringComparer.Ordinal)
        {
            "Add", "Div", "Max", "Mean", "Min", "Mul", "Pow", "PRelu", "Sub", "Sum",
        };

        private readonly Dictionary<string, TensorDataType> _types = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _ranks = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int?> _lengths = new(StringComparer.Ordinal);

        public ValueFacts(OnnxGraph graph)
        {
            Graph = graph;
            foreach (var node in graph.TopologicalOrder())
            {
                Infer(node);
            }
        }

        private OnnxGraph Graph { get; }

        public TensorDataType ElementType(string value)
        {
            var declared = Graph.GetElementType(value);
            return declared != TensorDataType.Undefined ? declared : _types.GetValueOrDefault(value, TensorDataType.Undefined);
        }

        public int? Rank(string value) =>
            Graph.GetShape(value) is { } shape ? shape.Count : _ranks.TryGetValue(value, out var r) ? r : null;

        private void Infer(OnnxNode node)
        {
            if (node.Outputs.Count == 0 || node.Outputs[0].Length == 0 || !node.IsDefaultDomain)
            {
                return;
            }

            var output = node.Outputs[0];
            var type = InferType(node);
            if (type != TensorDataType.Undefined)
            {
                _types[output] = type;
            }

            if (InferRank(node) is { } rank)
            {
                _ranks[output] = rank;
            }
        }

        private TensorDataType InferType(OnnxNode node) => node.OpType switch
        {
            "Cast" => (TensorDataType)node.GetInt("to"),
            "Shape" or "Size" or "NonZero" or "ArgMax" or "ArgMin" => TensorDataType.Int64,
            "Equal" or "Greater" or "Less" or "Not" or "And" or "Or" or "Xor" => TensorDataType.Bool,
            "Constant" => Graph.TryGetWeight(node.Outputs[0], out var t) ? t.DataType : TensorDataType.Undefined,
            _ when SameTypeAsFirst.Contains(node.OpType) && node.Inputs.Count > 0 => ElementType(node.Inputs[0]),
            _ => TensorDataType.Undefined,
        };

        private int? InferRank(OnnxNode node)
        {
            var op = node.OpType;
            var inputs = node.Inputs.Where(i => i.Length > 0).Select(Rank).ToList();
            var first = inputs.Count > 0 ? inputs[0] : null;
            switch (op)
            {
                case "Constant":
                    return Graph.TryGetWeight(node.Outputs[0], out var t) ? t.Rank : null;
                case "Shape":
                    return 1;
                case "Flatten" or "Gemm":
                    return 2;
                case "MatMul":
                    // Both operands of rank ≥ 2: batch dimensions broadcast, so the larger rank wins (numpy matmul).
                    return inputs.Count == 2 && inputs[0] >= 2 && inputs[1] >= 2 ? Math.Max(inputs[0]!.Value, inputs[1]!.Value) : null;
                case "Reshape":
                    return inputs.Count == 2 && Graph.GetShape(node.Inputs[1]) is [{ Value: { } n }] ? (int)n : StaticLength(node.Inputs[1]);
                case "Squeeze" when node.HasAttribute("axes"):
                    return first - node.GetInts("axes").Length;
                case "Unsqueeze" when node.HasAttribute("axes"):
                    return first + node.GetInts("axes").Length;
                case "ReduceMean" or "ReduceMax" or "ReduceMin" or "ReduceSum" when node.HasAttribute("axes"):
                    return node.GetInt("keepdims", 1) != 0 ? first : first - node.GetInts("axes").Length;
                default:
                    if (Broadcasting.Contains(op))
                    {
                        return inputs.Count > 0 && inputs.All(r => r.HasValue) ? inputs.Max() : null;
                    }

                    return SameRankAsFirst.Contains(op) ? first : null;
            }
        }

        // The element count of a 1-D shape tensor built from pieces of known length (Concat of Casts of one-element
        // values, as exporters emit for dynamic Reshape targets); null when any piece is unknown.
        private int? StaticLength(string value)
        {
            if (_lengths.TryGetValue(value, out var known))
            {
                return known;
            }

            int? length = null;
            if (Graph.GetShape(value) is [{ Value: { } n }])
            {
                length = (int)n;
            }
            else if (Graph.GetProducer(value) is { } p && p.IsDefaultDomain)
            {
                length = p.OpType switch
                {
                    "Cast" or "Identity" => StaticLength(p.Inputs[0]),
                    "Shape" => Rank(p.Inputs[0]),
                    "Concat" => p.Inputs.Select(StaticLength).Aggregate((int?)0, (a, b) => a + b),
                    "Unsqueeze" when Rank(p.Inputs[0]) == 0 => 1,
                    "Slice" when p.HasAttribute("starts") && p.GetInts("starts") is [var s] && p.GetInts("ends") is [var e]
                        && s >= 0 && e >= s && (e < int.MaxValue ? StaticLength(p.Inputs[0]) : null) is { } whole => (int)(Math.Min(e, whole) - Math.Min(s, whole)),
                    _ => null,
                };
            }

            _lengths[value] = length;
            return length;
        }
    }
}
