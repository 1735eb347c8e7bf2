using ModelCompress.Analysis;
using ModelCompress.Onnx;

namespace ModelCompress.Passes;

/// <summary>
/// A Reshape's target shape as entries, whether it is a constant or (as exporters write it) a Concat of constants and
/// single run-time entries (<c>Unsqueeze(Gather(Shape(x)))</c>); and the rewrite of one entry, made on a copy so a
/// shape shared by several Reshapes changes for this one only.
/// </summary>
internal static class ShapeEntries
{
    /// <summary>The entries (null: known only at run time), or null when the shape is neither form.</summary>
    public static long?[]? Resolve(OnnxGraph graph, string shape)
    {
        if (graph.TryGetWeight(shape, out var constant))
        {
            return constant.DataType == TensorDataType.Int64 && constant.Rank == 1 ? [.. constant.ToInt64Array().Select(v => (long?)v)] : null;
        }

        if (graph.GetProducer(shape) is not { OpType: "Concat", IsDefaultDomain: true } concat || concat.GetInt("axis", 0) != 0)
        {
            return null;
        }

        var entries = new List<long?>();
        foreach (var input in concat.Inputs)
        {
            if (graph.TryGetWeight(input, out var piece))
            {
                if (piece.DataType != TensorDataType.Int64 || piece.Rank != 1)
                {
                    return null;
                }

                entries.AddRange(piece.ToInt64Array().Select(v => (long?)v));
            }
            else if (graph.GetProducer(input) is { OpType: "Unsqueeze" })
            {
                entries.Add(null); // one run-time dimension (a scalar made 1-D)
            }
            else
            {
                return null;
            }
        }

        return [.. entries];
    }

    /// <summary>Gives <paramref name="reshape"/> a shape whose entry <paramref name="entry"/> is <paramref name="value"/>.</summary>
    public static void Rewrite(OnnxGraph graph, OnnxNode reshape, int entry, long value)
    {
        var shape = reshape.Inputs[1];
        if (graph.TryGetWeight(shape, out var constant))
        {
            var values = constant.ToInt64Array();
            values[entry] = value;
            var name = graph.UniqueName(shape + ".pruned");
            graph.AddInitializer(OnnxTensor.FromInt64(name, [values.Length], values));
            reshape.Inputs[1] = name;
            return;
        }

        var concat = graph.GetProducer(shape)!;
        var at = 0;
        var inputs = concat.Inputs.ToArray();
        for (var i = 0; i < inputs.Length; i++)
        {
            var isConstant = graph.TryGetWeight(inputs[i], out var piece);
            var width = isConstant ? (int)piece.ElementCount : 1;
            if (entry < at + width)
            {
                var values = isConstant ? piece.ToInt64Array() : new long[1];
                values[entry - at] = value;
                var name = graph.UniqueName(inputs[i] + ".pruned");
                graph.AddInitializer(OnnxTensor.FromInt64(name, [values.Length], values));
                inputs[i] = name;
                break;
            }

            at += width;
        }

        var output = graph.UniqueName(shape + ".pruned");
        var copy = new OnnxNode("Concat", inputs, [output], graph.UniqueName(concat.Name.Length > 0 ? concat.Name + ".pruned" : "concat.pruned"));
        copy.SetAttribute("axis", 0L);
        graph.InsertNode(graph.Nodes.ToList().IndexOf(reshape), copy);
        reshape.Inputs[1] = output;
    }

    /// <summary>The rank of <paramref name="value"/> where a few common ops make it plain, else null.</summary>
    public static int? RankOf(OnnxGraph graph, string value) => RankOf(graph, value, new Dictionary<string, int?>(StringComparer.Ordinal), 0);

    private static int? RankOf(OnnxGraph graph, string value, Dictionary<string, int?> known, int depth)
    {
        if (known.TryGetValue(value, out var rank))
        {
            return rank;
        }

        rank = graph.GetShape(value) is { } dims ? dims.Count
            : ConstantValues.TryGet(graph, value, out var c) ? c.Rank
            : depth > 200 || graph.GetProducer(value) is not { IsDefaultDomain: true } node ? null
            : FromOp(graph, node, known, depth);
        known[value] = rank;
        return rank;
    }

    private static int? FromOp(OnnxGraph graph, OnnxNode node, Dictionary<string, int?> known, int depth)
    {
        int? Of(int i) => i < node.Inputs.Count && node.Inputs[i].Length > 0 ? RankOf(graph, node.Inputs[i], known, depth + 1) : null;
        return node.OpType switch
        {
            "Add" or "Sub" or "Mul" or "Div" or "Pow" or "MatMul" => Of(0) is { } a && Of(1) is { } b ? Math.Max(a, b) : null,
            "Gather" => Of(0) is { } d && Of(1) is { } i ? d + i - 1 : null,
            "Range" => 1,
            "Reshape" => ShapeLength(graph, node.Inputs[1]),
            "LayerNormalization" or "Softmax" or "Relu" or "Gelu" or "Erf" or "Sigmoid" or "Tanh" or "Cast" or "Identity" or "Transpose"
                or "SimplifiedLayerNormalization" or "Sqrt" or "Reciprocal" or "Neg" => Of(0),
            _ => null,
        };
    }

    private static int? ShapeLength(OnnxGraph graph, string shape) => Resolve(graph, shape)?.Length;
}
