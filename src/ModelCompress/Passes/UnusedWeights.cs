using ModelCompress.Onnx;

namespace ModelCompress.Passes;

/// <summary>Removing a float weight a pass replaced, so the file does not keep both.</summary>
internal static class UnusedWeights
{
    /// <summary>
    /// Removes <paramref name="value"/> once nothing reads it: its initializer, or the chain of constant-making nodes
    /// that made it (a Constant; layout ops such as Reshape, Transpose, Identity or Flatten, which the layer model looks
    /// through; the Cast, Gather, Slice, Concat and BitShift of a shared weight's decoding), with whatever that chain
    /// alone read.
    /// </summary>
    public static void Remove(OnnxGraph graph, string value)
    {
        if (value.Length == 0 || graph.GetConsumers(value).Count > 0 || graph.IsGraphOutput(value))
        {
            return;
        }

        if (graph.Initializers.ContainsKey(value))
        {
            graph.RemoveInitializer(value);
        }
        else if (graph.GetProducer(value) is { } producer && producer.Outputs.Count == 1
            && producer.OpType is "Constant" or "Reshape" or "Identity" or "Flatten" or "Transpose" or "Cast" or "Gather" or "Slice" or "Concat" or "BitShift")
        {
            var inputs = producer.Inputs.Where(i => i.Length > 0).Distinct(StringComparer.Ordinal).ToList();
            graph.RemoveNode(producer);
            foreach (var input in inputs)
            {
                Remove(graph, input);
            }
        }
    }
}
