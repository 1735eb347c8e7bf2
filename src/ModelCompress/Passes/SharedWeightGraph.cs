using ModelCompress.Onnx;

namespace ModelCompress.Passes;

/// <summary>
/// How a clustered weight is written as standard ONNX, and read back by distillation. Indices are stored as uint8;
/// with at most 16 clusters and opset ≥ 11, two to a byte and unpacked with BitShift (the nibble shifted out of a
/// uint8 is lost, so (p « 4) » 4 is the low nibble). Then Cast(int32) and Gather(codebook) give the float weight.
/// Every node reads only initializers, so ONNX Runtime folds the chain into a float tensor when it loads the model: the
/// file is small, the running model is as fast (and as large in memory) as the float one.
/// </summary>
internal static class SharedWeightGraph
{
    /// <summary>The opset that has BitShift (unpacking 4-bit indices).</summary>
    public const long BitShiftOpset = 11;

    /// <summary>Writes the nodes that rebuild <paramref name="weight"/> with shape <paramref name="dims"/>; returns them and their output.</summary>
    public static (List<OnnxNode> Nodes, string Output) Write(OnnxGraph graph, string layerName, string baseName, ClusteredWeight weight, long[] dims, bool packed)
    {
        var nodes = new List<OnnxNode>();
        var codebook = graph.UniqueName(baseName + "_codebook");
        graph.AddInitializer(OnnxTensor.FromFloats(codebook, [weight.Codebook.Length], weight.Codebook));
        string indices;
        if (!packed)
        {
            var stored = graph.UniqueName(baseName + "_indices");
            graph.AddInitializer(OnnxTensor.FromUInt8(stored, dims, weight.Indices));
            indices = Node(graph, nodes, "Cast", [stored], layerName + "/share/Cast", n => n.SetAttribute("to", (long)TensorDataType.Int32));
            var output = Node(graph, nodes, "Gather", [codebook, indices], layerName + "/share/Gather", n => n.SetAttribute("axis", 0L));
            return (nodes, output);
        }

        var packedName = graph.UniqueName(baseName + "_indices4");
        var count = weight.Indices.Length;
        var bytes = weight.PackedIndices();
        graph.AddInitializer(OnnxTensor.FromUInt8(packedName, [bytes.Length, 1], bytes));
        var four = graph.UniqueName(baseName + "_nibble_shift");
        graph.AddInitializer(OnnxTensor.FromUInt8(four, [], [4]));
        var high = Node(graph, nodes, "BitShift", [packedName, four], layerName + "/share/High", n => n.SetAttribute("direction", "RIGHT"));
        var up = Node(graph, nodes, "BitShift", [packedName, four], layerName + "/share/LowUp", n => n.SetAttribute("direction", "LEFT"));
        var low = Node(graph, nodes, "BitShift", [up, four], layerName + "/share/Low", n => n.SetAttribute("direction", "RIGHT"));
        var pairs = Node(graph, nodes, "Concat", [low, high], layerName + "/share/Concat", n => n.SetAttribute("axis", 1L));
        indices = Node(graph, nodes, "Cast", [pairs], layerName + "/share/Cast", n => n.SetAttribute("to", (long)TensorDataType.Int32));
        var gathered = Node(graph, nodes, "Gather", [codebook, indices], layerName + "/share/Gather", n => n.SetAttribute("axis", 0L));
        var flatShape = graph.UniqueName(baseName + "_flat_shape");
        graph.AddInitializer(OnnxTensor.FromInt64(flatShape, [1], [-1]));
        var flat = Node(graph, nodes, "Reshape", [gathered, flatShape], layerName + "/share/Flatten", null);
        if (bytes.Length * 2 != count)
        {
            var starts = graph.UniqueName(baseName + "_slice_start");
            var ends = graph.UniqueName(baseName + "_slice_end");
            graph.AddInitializer(OnnxTensor.FromInt64(starts, [1], [0]));
            graph.AddInitializer(OnnxTensor.FromInt64(ends, [1], [count]));
            flat = Node(graph, nodes, "Slice", [flat, starts, ends], layerName + "/share/Slice", null);
        }

        var shape = graph.UniqueName(baseName + "_shape");
        graph.AddInitializer(OnnxTensor.FromInt64(shape, [dims.Length], dims));
        return (nodes, Node(graph, nodes, "Reshape", [flat, shape], layerName + "/share/Reshape", null));
    }

    /// <summary>
    /// Reads back a clustered weight written by <see cref="Write"/>: the codebook initializer's name and the indices.
    /// False when <paramref name="value"/> is not such a chain.
    /// </summary>
    public static bool TryRead(OnnxGraph graph, string value, out string codebookName, out ClusteredWeight weight)
    {
        codebookName = string.Empty;
        weight = null!;
        var node = graph.GetProducer(value);
        while (node is { OpType: "Reshape" or "Slice" })
        {
            node = graph.GetProducer(node.Inputs[0]);
        }

        if (node is not { OpType: "Gather" } gather || !graph.Initializers.TryGetValue(gather.Inputs[0], out var codebook)
            || codebook.DataType != TensorDataType.Float || codebook.Dims.Length != 1
            || graph.GetProducer(gather.Inputs[1]) is not { OpType: "Cast" } cast)
        {
            return false;
        }

        codebookName = gather.Inputs[0];
        var book = codebook.ToFloatArray();
        if (graph.Initializers.TryGetValue(cast.Inputs[0], out var stored) && stored.DataType == TensorDataType.UInt8)
        {
            weight = new ClusteredWeight(book, stored.ToRawBytes());
            return true;
        }

        if (graph.GetProducer(cast.Inputs[0]) is { OpType: "Concat" } concat
            && graph.GetProducer(concat.Inputs[1]) is { OpType: "BitShift" } high
            && graph.Initializers.TryGetValue(high.Inputs[0], out var packed) && packed.DataType == TensorDataType.UInt8)
        {
            var bytes = packed.ToRawBytes();
            weight = new ClusteredWeight(book, ClusteredWeight.UnpackIndices(bytes, CountOf(graph, value, bytes.Length * 2)));
            return true;
        }

        return false;
    }

    /// <summary>The element count of the reshaped weight (its final Reshape's constant shape), else <paramref name="fallback"/>.</summary>
    private static int CountOf(OnnxGraph graph, string value, int fallback)
    {
        if (graph.GetProducer(value) is { OpType: "Reshape" } reshape && graph.Initializers.TryGetValue(reshape.Inputs[1], out var shape))
        {
            var dims = shape.ToInt64Array();
            if (dims.All(d => d > 0))
            {
                return (int)dims.Aggregate(1L, (a, b) => a * b);
            }
        }

        return fallback;
    }

    private static string Node(OnnxGraph graph, List<OnnxNode> nodes, string op, string[] inputs, string name, Action<OnnxNode>? configure)
    {
        var output = graph.UniqueName(name + "_output");
        var node = new OnnxNode(op, inputs, [output], graph.UniqueName(name));
        configure?.Invoke(node);
        nodes.Add(node);
        return output;
    }
}
