using ModelCompress.Onnx;

namespace ModelCompress.Analysis;

/// <summary>
/// Resolves values that are constant: initializers and Constant nodes, and layout ops applied to constants (Identity,
/// Reshape with a constant shape, Flatten, Transpose) as older exporters emit them — the MNIST model zoo's MatMul
/// weight is <c>Reshape(initializer, constant shape)</c>. Only layout changes are evaluated; arithmetic on constants is
/// left to the model. In a subgraph, values of the enclosing graphs are resolved there
/// (<see cref="OwnerOf"/> names the graph that defines one).
/// </summary>
internal static class ConstantValues
{
    private const int MaxDepth = 8;

    /// <summary>The constant behind <paramref name="value"/>, or false.</summary>
    public static bool TryGet(OnnxGraph graph, string value, out OnnxTensor tensor) => TryGet(graph, value, 0, out tensor);

    /// <summary>
    /// The graph that defines <paramref name="value"/> as seen from <paramref name="graph"/>: itself, or the nearest
    /// enclosing graph that does (a subgraph reads outer values by name); <paramref name="graph"/> when none does.
    /// </summary>
    public static OnnxGraph OwnerOf(OnnxGraph graph, string value)
    {
        for (var g = graph; g is not null; g = g.ParentGraph)
        {
            if (g.IsDefinedHere(value))
            {
                return g;
            }
        }

        return graph;
    }

    private static bool TryGet(OnnxGraph graph, string value, int depth, out OnnxTensor tensor)
    {
        if (graph.TryGetWeight(value, out tensor))
        {
            return true;
        }

        tensor = null!;
        var producer = graph.GetProducer(value);
        if (producer is null && depth < MaxDepth && !graph.IsGraphInput(value) && graph.ParentGraph is { } parent)
        {
            // A subgraph (If branch, Loop or Scan body) reads values of its enclosing graphs by name: a layout op of a
            // constant made out there is as constant in here.
            return TryGet(parent, value, depth + 1, out tensor);
        }

        if (depth >= MaxDepth || producer is not { IsDefaultDomain: true } node || node.Inputs.Count == 0
            || !TryGet(graph, node.Inputs[0], depth + 1, out var source) || source.DataType != TensorDataType.Float)
        {
            return false;
        }

        var dims = source.Dims;
        long[]? shape = node.OpType switch
        {
            "Identity" => dims,
            "Reshape" when node.Inputs.Count > 1 && graph.TryGetWeight(node.Inputs[1], out var s) && s.DataType == TensorDataType.Int64
                => ReshapeDims(dims, s.ToInt64Array(), node.GetInt("allowzero", 0) != 0),
            "Flatten" => FlattenDims(dims, (int)node.GetInt("axis", 1)),
            _ => null,
        };
        if (shape is not null)
        {
            tensor = source.Reshape(shape).WithName(value);
            return true;
        }

        if (node.OpType == "Transpose" && dims.Length == 2 && node.GetInts("perm", [1, 0]) is [1, 0])
        {
            var v = source.ToFloatArray();
            var (r, c) = ((int)dims[0], (int)dims[1]);
            var t = new float[v.Length];
            for (var i = 0; i < r; i++)
            {
                for (var j = 0; j < c; j++)
                {
                    t[(j * r) + i] = v[(i * c) + j];
                }
            }

            tensor = OnnxTensor.FromFloats(value, [c, r], t);
            return true;
        }

        return false;
    }

    /// <summary>ONNX Reshape's rules: 0 copies the input dimension (unless allowzero), one -1 is inferred.</summary>
    private static long[]? ReshapeDims(long[] input, long[] target, bool allowZero)
    {
        var total = input.Aggregate(1L, (a, b) => a * b);
        var dims = new long[target.Length];
        var infer = -1;
        long known = 1;
        for (var i = 0; i < target.Length; i++)
        {
            dims[i] = target[i] == 0 && !allowZero ? (i < input.Length ? input[i] : -2) : target[i];
            if (dims[i] == -1)
            {
                if (infer >= 0)
                {
                    return null;
                }

                infer = i;
            }
            else if (dims[i] < 0)
            {
                return null;
            }
            else
            {
                known *= dims[i];
            }
        }

        if (infer >= 0)
        {
            if (known == 0 || total % known != 0)
            {
                return null;
            }

            dims[infer] = total / known;
        }

        return dims.Aggregate(1L, (a, b) => a * b) == total ? dims : null;
    }

    private static long[]? FlattenDims(long[] input, int axis)
    {
        if (axis < 0)
        {
            axis += input.Length;
        }

        if (axis < 0 || axis > input.Length)
        {
            return null;
        }

        var outer = input.Take(axis).Aggregate(1L, (a, b) => a * b);
        var inner = input.Skip(axis).Aggregate(1L, (a, b) => a * b);
        return [outer, inner];
    }
}
