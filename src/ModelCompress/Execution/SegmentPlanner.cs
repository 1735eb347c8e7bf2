using ModelCompress.Onnx;

namespace ModelCompress.Execution;

/// <summary>
/// Cuts a model into segments (<see cref="SegmentPlan"/>) at the narrowest places of its data flow. Nodes are taken in
/// graph order (the IR requires it to be topological). Nodes computed from weights alone ("constant" nodes, e.g. a
/// weight's DequantizeLinear or Transpose) are not placed: each segment repeats the ones it needs, so a cut never
/// turns a folded constant into a run-time input. A position between two data nodes is a cut candidate when the
/// fewest values cross it (not counting values read across a quarter of the model or more), and none of them is produced or read by a Quantize/DequantizeLinear node (cutting there
/// would stop ONNX Runtime from fusing a QDQ pair into an integer kernel, and the segments would compute something
/// other than the model does in production). Among the candidates, cuts are chosen to balance the weight bytes per
/// segment.
/// </summary>
internal static partial class SegmentPlanner
{
    private static readonly HashSet<string> Nondeterministic = new(StringComparer.Ordinal)
    {
        "RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "Multinomial", "Bernoulli", "Dropout",
    };

    private static readonly HashSet<string> QdqOps = new(StringComparer.Ordinal) { "QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear" };

    /// <summary>Plans segments of <paramref name="model"/> that expose <paramref name="requested"/>.</summary>
    /// <param name="model">The model.</param>
    /// <param name="requested">The values the caller observes.</param>
    /// <param name="policy">How finely to cut.</param>
    /// <param name="together">Pairs of values that must be observed in the same segment (no cut between their producers).</param>
    public static SegmentPlan Plan(
        OnnxModel model, IReadOnlyCollection<string> requested, SegmentPolicy policy, IReadOnlyList<(string A, string B)>? together = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(requested);
        ArgumentNullException.ThrowIfNull(policy);
        var graph = model.Graph;
        var nodes = graph.Nodes;
        var inputs = graph.Inputs.Select(i => i.Name).Where(n => !graph.Initializers.ContainsKey(n)).ToHashSet(StringComparer.Ordinal);
        string? why = model.FunctionCount > 0 ? "it has model-local functions"
            : nodes.Any(n => n.Subgraphs.Any()) ? "it has control flow (subgraphs)"
            : graph.SparseInitializerNames.Count > 0 ? "it has sparse initializers"
            : null;
        if (why is not null || policy.MaxSegments < 2)
        {
            return Whole(model, requested, inputs, why);
        }

        // Constant values: initializers (not overridable inputs) and outputs of deterministic nodes that read only those.
        var constant = graph.Initializers.Keys.Where(k => !inputs.Contains(k)).ToHashSet(StringComparer.Ordinal);
        var constantProducer = new Dictionary<string, int>(StringComparer.Ordinal);
        var data = new List<int>();
        var producedAt = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < nodes.Count; i++)
        {
            var node = nodes[i];
            foreach (var input in node.Inputs)
            {
                if (input.Length > 0 && !constant.Contains(input) && !inputs.Contains(input) && !producedAt.ContainsKey(input))
                {
                    return Whole(model, requested, inputs, "its nodes are not in topological order");
                }
            }

            if (!Nondeterministic.Contains(node.OpType) && node.Inputs.All(v => v.Length == 0 || constant.Contains(v)))
            {
                foreach (var output in node.Outputs.Where(o => o.Length > 0))
                {
                    constant.Add(output);
                    constantProducer[output] = i;
                }

                continue;
            }

            foreach (var output in node.Outputs.Where(o => o.Length > 0))
            {
                producedAt[output] = data.Count;
            }

            data.Add(i);
        }

        var requestedInputs = new List<string>();
        foreach (var name in requested.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            if (inputs.Contains(name))
            {
                requestedInputs.Add(name);
            }
            else if (!producedAt.ContainsKey(name))
            {
                return Whole(model, requested, inputs, $"the requested value '{name}' is not computed from the model's inputs");
            }
        }

        // The last data node (position) that reads each data value.
        var lastUse = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var j = 0; j < data.Count; j++)
        {
            foreach (var input in nodes[data[j]].Inputs.Where(producedAt.ContainsKey))
            {
                lastUse[input] = j;
            }
        }

        var flow = new DataFlow(model, data, producedAt, constant, constantProducer, inputs, lastUse);
        return Build(flow, requested, requestedInputs, ChooseCuts(flow, policy, together ?? []));
    }

    /// <summary>
    /// The model's data flow as the planner sees it: which nodes compute from the inputs (data nodes, by their graph
    /// index, in order), where each data value is produced and last read (positions among the data nodes), and the
    /// constant values with the constant nodes producing them.
    /// </summary>
    private sealed record DataFlow(
        OnnxModel Model,
        List<int> Data,
        Dictionary<string, int> ProducedAt,
        HashSet<string> Constant,
        Dictionary<string, int> ConstantProducer,
        HashSet<string> Inputs,
        Dictionary<string, int> LastUse)
    {
        public IReadOnlyList<OnnxNode> Nodes => Model.Graph.Nodes;
    }

    private static SegmentPlan Whole(OnnxModel model, IReadOnlyCollection<string> requested, HashSet<string> inputs, string? why) =>
        new(model, [new ModelSegment(0, model.Graph.Nodes, [.. model.Graph.Inputs.Select(i => i.Name).Where(inputs.Contains)], [], [],
            [.. requested.Distinct(StringComparer.Ordinal).Where(r => !inputs.Contains(r)).Order(StringComparer.Ordinal)], [],
            model.Graph.Initializers.Values.Sum(t => t.ByteLength))],
            [.. requested.Distinct(StringComparer.Ordinal).Where(inputs.Contains).Order(StringComparer.Ordinal)], why);

    /// <summary>Cut positions (indices into the data nodes: a cut at p runs data nodes p.. in the next segment).</summary>
    private static List<int> ChooseCuts(DataFlow flow, SegmentPolicy policy, IReadOnlyList<(string A, string B)> together)
    {
        var graph = flow.Model.Graph;
        var (nodes, data, producedAt) = (flow.Nodes, flow.Data, flow.ProducedAt);
        var n = data.Count;
        var cost = new long[n];
        var coneBytes = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var j = 0; j < n; j++)
        {
            foreach (var input in nodes[data[j]].Inputs.Where(flow.Constant.Contains))
            {
                cost[j] += ConeBytes(graph, nodes, input, flow.ConstantProducer, coneBytes);
            }
        }

        // Live count and eligibility per position p (1..n-1), by difference arrays over each value's live range.
        var live = new int[n + 1];
        var blocked = new int[n + 1];
        foreach (var (value, last) in flow.LastUse)
        {
            var produced = producedAt[value];
            if (last <= produced)
            {
                continue;
            }

            // A value read across much of the model (rotary tables, masks) crosses every cut in its range alike and
            // does not tell narrow places from wide ones: carried, but not counted.
            if (last - produced < n / 4)
            {
                live[produced + 1]++;
                live[last + 1]--;
            }

            if (!Cuttable(graph, nodes, data, value, produced))
            {
                blocked[produced + 1]++;
                blocked[last + 1]--;
            }
        }

        // No cut between the producers of two values observed together (a model input counts as produced before all).
        foreach (var (a, b) in together)
        {
            int pa = producedAt.GetValueOrDefault(a, -1), pb = producedAt.GetValueOrDefault(b, -1);
            if (pa != pb)
            {
                blocked[Math.Min(pa, pb) + 1]++;
                blocked[Math.Max(pa, pb) + 1]--;
            }
        }

        var candidates = new List<(int Position, int Live)>();
        int liveNow = 0, blockedNow = 0;
        for (var p = 1; p < n; p++)
        {
            liveNow += live[p];
            blockedNow += blocked[p];
            if (blockedNow == 0)
            {
                candidates.Add((p, liveNow));
            }
        }

        var total = cost.Sum();
        var count = (int)Math.Min(policy.MaxSegments, total / Math.Max(1, policy.MinSegmentWeightBytes));
        if (count < 2 || candidates.Count == 0)
        {
            return [];
        }

        var before = new long[n + 1];
        for (var j = 0; j < n; j++)
        {
            before[j + 1] = before[j] + cost[j];
        }

        // The narrowest places among those that leave enough weights on both sides.
        var interior = candidates.Where(c => before[c.Position] >= policy.MinSegmentWeightBytes && total - before[c.Position] >= policy.MinSegmentWeightBytes).ToList();
        if (interior.Count == 0)
        {
            return [];
        }

        var narrowest = interior.Min(c => c.Live);
        var positions = interior.Where(c => c.Live == narrowest).Select(c => c.Position).ToList();

        var chosen = new SortedSet<int>();
        for (var k = 1; k < count; k++)
        {
            var target = (double)total * k / count;
            chosen.Add(positions.MinBy(p => Math.Abs(before[p] - target)));
        }

        // Drop cuts that would leave a segment lighter than the minimum (the last one too).
        var cuts = new List<int>();
        var start = 0;
        foreach (var p in chosen)
        {
            if (before[p] - before[start] >= policy.MinSegmentWeightBytes && total - before[p] >= policy.MinSegmentWeightBytes)
            {
                cuts.Add(p);
                start = p;
            }
        }

        return cuts;
    }

    /// <summary>Whether a cut may carry <paramref name="value"/>: not next to a QDQ node, and (where declared) a plain tensor of numbers.</summary>
    private static bool Cuttable(OnnxGraph graph, IReadOnlyList<OnnxNode> nodes, List<int> data, string value, int produced)
    {
        if (QdqOps.Contains(nodes[data[produced]].OpType) || graph.GetConsumers(value).Any(c => QdqOps.Contains(c.OpType)))
        {
            return false;
        }

        var info = graph.GetValueInfo(value);
        return info is null || (info.Kind == OnnxValueKind.Tensor && info.ElementType != TensorDataType.String);
    }

    private static long ConeBytes(
        OnnxGraph graph, IReadOnlyList<OnnxNode> nodes, string value, Dictionary<string, int> constantProducer, Dictionary<string, long> memo)
    {
        if (memo.TryGetValue(value, out var bytes))
        {
            return bytes;
        }

        if (graph.Initializers.TryGetValue(value, out var tensor))
        {
            bytes = tensor.ByteLength;
        }
        else if (constantProducer.TryGetValue(value, out var index))
        {
            bytes = nodes[index].Inputs.Where(i => i.Length > 0).Sum(i => ConeBytes(graph, nodes, i, constantProducer, memo));
        }

        memo[value] = bytes;
        return bytes;
    }
}
