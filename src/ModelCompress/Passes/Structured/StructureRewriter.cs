using ModelCompress.Analysis;
using ModelCompress.Onnx;

namespace ModelCompress.Passes;

/// <summary>
/// Shrinks one structure in the graph to its kept channels: producers lose output columns (and bias entries),
/// per-channel constants on the way lose entries, the consumer loses input rows. Each changed constant becomes a new
/// initializer read by that node alone, so a constant shared with another node is never changed under it; what
/// nothing reads any more goes with <see cref="OnnxGraph.RemoveDeadNodes"/> at the end of the pass. Weights are read
/// from the graph as it stands, so a Conv that is the consumer of one structure and the producer of the next is cut
/// on both axes.
/// </summary>
internal static class StructureRewriter
{
    /// <summary>Cuts <paramref name="structure"/> down to the groups <paramref name="keepGroups"/>; returns the weight bytes before and after.</summary>
    public static (long Before, long After) Apply(OnnxGraph graph, PrunableStructure structure, int[] keepGroups)
    {
        var size = structure.GroupSize;
        var keep = keepGroups.SelectMany(g => Enumerable.Range(g * size, size)).ToArray();
        long before = 0;
        long after = 0;
        void Cut(OnnxNode node, int input, int axis, int[]? indices = null)
        {
            var (b, a) = SliceInput(graph, node, input, axis, indices ?? keep);
            before += b;
            after += a;
        }

        foreach (var producer in structure.Producers)
        {
            var columns = ProducerColumns(structure, producer, keep);
            Cut(producer.Node, 1, producer.OutputChannelAxis, columns);
            if (producer.BiasName is not null)
            {
                var owner = producer.BiasAdd ?? producer.Node;
                var index = owner.Inputs.IndexOf(producer.BiasName);
                var bias = Constant(graph, owner.Inputs[index]);
                Cut(owner, index, bias.Dims.Length - 1, columns);
            }
        }

        foreach (var c in structure.ChannelConstants)
        {
            Cut(c.NodeRef, c.InputIndex, c.Axis);
        }

        var consumer = structure.Consumer;
        Cut(consumer.Node, 1, consumer.Kind == LinearLayerKind.Conv ? 1 : 1 - consumer.OutputChannelAxis);

        if (structure.Heads is { } heads)
        {
            RewriteHeadCounts(graph, heads, keepGroups.Length, size);
        }

        // The values between carry fewer channels now; shapes declared for them would be wrong, and runtimes infer them.
        var changed = new HashSet<string>(structure.RegionValues, StringComparer.Ordinal);
        foreach (var p in structure.Producers.Where(p => p.BiasAdd is not null))
        {
            changed.Add(p.Node.Outputs[0]);
        }

        for (var i = graph.ValueInfos.Count - 1; i >= 0; i--)
        {
            if (changed.Contains(graph.ValueInfos[i].Name))
            {
                graph.ValueInfos.RemoveAt(i);
            }
        }

        return (before, after);
    }

    /// <summary>The producer's output columns to keep: all of them for an MLP or Conv, the kept heads' columns of each segment for attention.</summary>
    private static int[] ProducerColumns(PrunableStructure structure, LinearLayer producer, int[] keep) =>
        structure.Heads is { } heads
            ? [.. heads.Segments.Where(s => ReferenceEquals(s.Layer, producer)).OrderBy(s => s.Offset).SelectMany(s => keep.Select(c => s.Offset + c))]
            : keep;

    /// <summary>Every Reshape entry naming the head count (or heads × head size), and every Split width, to the kept heads.</summary>
    private static void RewriteHeadCounts(OnnxGraph graph, HeadLayout heads, int kept, int headSize)
    {
        foreach (var (node, entry, merged) in heads.Reshapes)
        {
            ShapeEntries.Rewrite(graph, node, entry, merged ? (long)kept * headSize : kept);
        }

        foreach (var split in heads.Splits)
        {
            var sizes = Enumerable.Repeat((long)kept * headSize, split.Outputs.Count).ToArray();
            if (split.Inputs.Count > 1 && split.Inputs[1].Length > 0)
            {
                var name = graph.UniqueName(split.Inputs[1] + ".pruned");
                graph.AddInitializer(OnnxTensor.FromInt64(name, [sizes.Length], sizes));
                split.Inputs[1] = name;
            }
            else
            {
                split.SetAttribute("split", sizes);
            }
        }
    }

    private static OnnxTensor Constant(OnnxGraph graph, string value) =>
        ConstantValues.TryGet(graph, value, out var t)
            ? t
            : throw new InvalidOperationException($"'{value}' was constant when the structure was found but is not now");

    private static (long Before, long After) SliceInput(OnnxGraph graph, OnnxNode node, int input, int axis, int[] keep)
    {
        var source = Constant(graph, node.Inputs[input]);
        var dims = source.Dims;
        var values = source.ToFloatArray();
        var sliced = Slice(values, dims, axis, keep, out var newDims);
        var name = graph.UniqueName(node.Inputs[input] + ".pruned");
        graph.AddInitializer(OnnxTensor.FromFloats(name, newDims, sliced));
        node.Inputs[input] = name;
        return (values.LongLength * sizeof(float), sliced.LongLength * sizeof(float));
    }

    /// <summary>The entries of <paramref name="values"/> (row-major <paramref name="dims"/>) whose index on <paramref name="axis"/> is kept.</summary>
    internal static float[] Slice(float[] values, long[] dims, int axis, int[] keep, out long[] newDims)
    {
        var outer = 1L;
        for (var i = 0; i < axis; i++)
        {
            outer *= dims[i];
        }

        var inner = 1L;
        for (var i = axis + 1; i < dims.Length; i++)
        {
            inner *= dims[i];
        }

        var n = dims[axis];
        newDims = (long[])dims.Clone();
        newDims[axis] = keep.Length;
        var result = new float[outer * keep.Length * inner];
        var at = 0L;
        for (var o = 0L; o < outer; o++)
        {
            foreach (var k in keep)
            {
                Array.Copy(values, ((o * n) + k) * inner, result, at, inner);
                at += inner;
            }
        }

        return result;
    }
}
