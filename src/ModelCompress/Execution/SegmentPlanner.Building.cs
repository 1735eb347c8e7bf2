using ModelCompress.Onnx;

namespace ModelCompress.Execution;

/// <summary>Turning chosen cut positions into segments.</summary>
internal static partial class SegmentPlanner
{
    private static SegmentPlan Build(DataFlow flow, IReadOnlyCollection<string> requested, List<string> requestedInputs, List<int> cuts)
    {
        var (model, nodes, data, producedAt, inputs) = (flow.Model, flow.Nodes, flow.Data, flow.ProducedAt, flow.Inputs);
        var graph = model.Graph;
        var bounds = new List<int> { 0 };
        bounds.AddRange(cuts);
        bounds.Add(data.Count);

        var wanted = requested.Where(r => !inputs.Contains(r)).ToHashSet(StringComparer.Ordinal);
        var segments = new List<ModelSegment>();
        for (var s = 0; s + 1 < bounds.Count; s++)
        {
            int from = bounds[s], to = bounds[s + 1];
            var members = new SortedSet<int>();
            var graphInputs = new List<string>();
            var carried = new List<string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var j = from; j < to; j++)
            {
                members.Add(data[j]);
                foreach (var input in nodes[data[j]].Inputs.Where(i => i.Length > 0))
                {
                    if (inputs.Contains(input) && seen.Add(input))
                    {
                        graphInputs.Add(input);
                    }
                    else if (producedAt.TryGetValue(input, out var at) && at < from && seen.Add(input))
                    {
                        carried.Add(input);
                    }
                    else
                    {
                        AddConstantCone(nodes, input, flow.ConstantProducer, members);
                    }
                }
            }

            var liveAfter = to == data.Count ? [] : LiveAt(nodes, data, to, flow.LastUse);
            var exports = liveAfter.Where(v => producedAt[v] >= from).ToList();
            var produced = Enumerable.Range(from, to - from).SelectMany(j => nodes[data[j]].Outputs).Where(wanted.Contains)
                .Order(StringComparer.Ordinal).ToList();
            var weights = members.SelectMany(i => nodes[i].Inputs).Distinct(StringComparer.Ordinal)
                .Sum(v => graph.Initializers.TryGetValue(v, out var t) ? t.ByteLength : 0);
            segments.Add(new ModelSegment(s, [.. members.Select(i => nodes[i])], graphInputs, carried, exports, produced, liveAfter, weights));
        }

        return new SegmentPlan(model, segments, requestedInputs, null);
    }

    /// <summary>Values produced before data position <paramref name="position"/> and read at or after it, in production order.</summary>
    private static List<string> LiveAt(IReadOnlyList<OnnxNode> nodes, List<int> data, int position, Dictionary<string, int> lastUse)
    {
        var live = new List<string>();
        for (var j = 0; j < position; j++)
        {
            foreach (var output in nodes[data[j]].Outputs)
            {
                if (output.Length > 0 && lastUse.TryGetValue(output, out var last) && last >= position)
                {
                    live.Add(output);
                }
            }
        }

        return live;
    }

    private static void AddConstantCone(IReadOnlyList<OnnxNode> nodes, string value, Dictionary<string, int> constantProducer, SortedSet<int> members)
    {
        if (!constantProducer.TryGetValue(value, out var index) || !members.Add(index))
        {
            return;
        }

        foreach (var input in nodes[index].Inputs.Where(i => i.Length > 0))
        {
            AddConstantCone(nodes, input, constantProducer, members);
        }
    }
}
