using ModelCompress.Onnx;

namespace ModelCompress.Passes;

/// <summary>
/// How a tensor with many equal entries (the zeros of a pruned weight, or the zero point of its int8 codes) is written
/// as standard ONNX: the other entries in order, behind one leading fill value, and a 1-bit mask packed eight to a byte
/// (bit j of byte b is entry 8b + j). Opset-11 ops rebuild it: BitShift the mask bytes right by 0…7 and Mod 2 give the
/// bits; CumSum(bits)·bits numbers each kept entry 1, 2, … and every fill entry 0, so Gather on [fill, kept…] puts
/// each value back, and Reshape restores the shape. Every node reads only initializers, so ONNX Runtime folds the chain
/// into the dense tensor when it loads the model: the file shrinks, the running model is the dense one.
/// </summary>
internal static class SparseWeightGraph
{
    /// <summary>The opset that has BitShift and CumSum.</summary>
    public const long Opset = 11;

    /// <summary>The fixed cost of one packed tensor in the file, at most about: nine nodes, their short names, a shape tensor.</summary>
    public const int OverheadBytes = 640;

    /// <summary>The split of one tensor into fill value, kept values and mask, or null when nothing is saved.</summary>
    public static SparseSplit? Split(OnnxTensor tensor)
    {
        var width = TensorDataTypes.BitsPerElement(tensor.DataType) / 8;
        if (width == 0 || TensorDataTypes.BitsPerElement(tensor.DataType) % 8 != 0 || tensor.ElementCount < 256 || tensor.ElementCount > int.MaxValue / 2)
        {
            return null;
        }

        var raw = tensor.GetRawData().Span;
        var count = (int)tensor.ElementCount;
        var fill = FillOf(raw, width, count);
        var kept = 0;
        for (var i = 0; i < count; i++)
        {
            if (!raw.Slice(i * width, width).SequenceEqual(fill))
            {
                kept++;
            }
        }

        var maskBytes = (count + 7) / 8;
        var packed = (long)(kept + 1) * width + maskBytes + OverheadBytes;
        if (packed >= raw.Length)
        {
            return null;
        }

        var values = new byte[(kept + 1) * width];
        var mask = new byte[maskBytes];
        fill.CopyTo(values, 0);
        var at = width;
        for (var i = 0; i < count; i++)
        {
            var entry = raw.Slice(i * width, width);
            if (!entry.SequenceEqual(fill))
            {
                entry.CopyTo(values.AsSpan(at));
                at += width;
                mask[i >> 3] |= (byte)(1 << (i & 7));
            }
        }

        return new SparseSplit(tensor.DataType, tensor.Dims, count, values, mask);
    }

    /// <summary>
    /// Adds the nodes that rebuild <paramref name="split"/> as <paramref name="output"/> to <paramref name="graph"/>,
    /// before every other node (they read only initializers, so this keeps the graph in topological order).
    /// </summary>
    public static void Write(OnnxGraph graph, string output, SparseSplit split, SparseConstants shared, int insertAt)
    {
        // Short generated names: with nine nodes per tensor, names as long as the weight's would cost more than a
        // kilobyte a tensor. The values initializer keeps a readable name, the only one a reader of the graph needs.
        var values = graph.UniqueName(output + "_nz");
        graph.AddInitializer(OnnxTensor.FromRawBytes(values, split.DataType, [split.Values.Length / Width(split)], split.Values));
        var prefix = graph.UniqueName("sp");
        var mask = graph.UniqueName(prefix + "m");
        graph.AddInitializer(OnnxTensor.FromUInt8(mask, [split.Mask.Length, 1], split.Mask));

        var nodes = new List<OnnxNode>();
        var shifted = Node(graph, nodes, "BitShift", [mask, shared.Shifts], prefix, n => n.SetAttribute("direction", "RIGHT"));
        var bits = Node(graph, nodes, "Mod", [shifted, shared.Two], prefix, null);
        var flat = Node(graph, nodes, "Reshape", [bits, shared.Flat], prefix, null);
        if (split.Mask.Length * 8 != split.Count)
        {
            var end = graph.UniqueName(prefix + "n");
            graph.AddInitializer(OnnxTensor.FromInt64(end, [1], [split.Count]));
            flat = Node(graph, nodes, "Slice", [flat, shared.Zero, end], prefix, null);
        }

        var wide = Node(graph, nodes, "Cast", [flat], prefix, n => n.SetAttribute("to", (long)TensorDataType.Int32));
        var numbered = Node(graph, nodes, "CumSum", [wide, shared.Axis], prefix, null);
        var index = Node(graph, nodes, "Mul", [numbered, wide], prefix, null);
        var gathered = Node(graph, nodes, "Gather", [values, index], prefix, n => n.SetAttribute("axis", 0L));
        var shape = graph.UniqueName(prefix + "s");
        graph.AddInitializer(OnnxTensor.FromInt64(shape, [split.Dims.Length], split.Dims));
        nodes.Add(new OnnxNode("Reshape", [gathered, shape], [output], graph.UniqueName(prefix + "r")));
        for (var i = 0; i < nodes.Count; i++)
        {
            graph.InsertNode(insertAt + i, nodes[i]);
        }
    }

    /// <summary>The number of nodes <see cref="Write"/> adds for <paramref name="split"/>.</summary>
    public static int NodeCount(SparseSplit split) => split.Mask.Length * 8 != split.Count ? 9 : 8;

    /// <summary>
    /// The entry stored once instead of at each place: for one-byte types (int8/uint8 codes, whose pruned entries hold
    /// the zero point) the most frequent byte, lowest on a tie; otherwise all-zero bytes (a float's +0).
    /// </summary>
    private static byte[] FillOf(ReadOnlySpan<byte> raw, int width, int count)
    {
        if (width != 1)
        {
            return new byte[width];
        }

        var histogram = new int[256];
        for (var i = 0; i < count; i++)
        {
            histogram[raw[i]]++;
        }

        var best = 0;
        for (var b = 1; b < 256; b++)
        {
            if (histogram[b] > histogram[best])
            {
                best = b;
            }
        }

        return [(byte)best];
    }

    private static int Width(SparseSplit split) => TensorDataTypes.BitsPerElement(split.DataType) / 8;

    /// <summary>Adds one node; it and its output share one short name (nodes and values have separate namespaces).</summary>
    private static string Node(OnnxGraph graph, List<OnnxNode> nodes, string op, string[] inputs, string prefix, Action<OnnxNode>? configure)
    {
        var name = graph.UniqueName(prefix + "_" + nodes.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var node = new OnnxNode(op, inputs, [name], name);
        configure?.Invoke(node);
        nodes.Add(node);
        return name;
    }
}
