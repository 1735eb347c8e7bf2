using ModelCompress.Onnx;

namespace ModelCompress.Passes;

/// <summary>Removing a float weight a pass replaced, so the file does not keep both.</summary>
internal static class UnusedWeights
{
    /// <summary>
    /// Removes <paramref name="value"/> once nothing reads it: its initializer, or the Constant/Reshape chain that made
    /// it (older exporters reshape a parameter into the MatMul weight), with whatever that chain alone read.
    /// </summary>
    public static void Remove(OnnxGraph graph, string value)
    {
        if (graph.GetConsumers(value).Count > 0 || graph.IsGraphOutput(value))
        {
            return;
        }

        if (graph.Initializers.ContainsKey(value))
        {
            graph.RemoveInitializer(value);
        }
        else if (graph.GetProducer(value) is { OpType: "Constant" or "Reshape" } producer && producer.Outputs.Count == 1)
        {
            var inputs = producer.Inputs.Where(i => i.Length > 0).ToList();
            graph.RemoveNode(producer);
            foreach (var input in inputs)
            {
                Remove(graph, input);
            }
        }
    }
}
