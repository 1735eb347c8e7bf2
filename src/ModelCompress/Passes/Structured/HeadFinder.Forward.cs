using ModelCompress.Analysis;
using ModelCompress.Onnx;

namespace ModelCompress.Passes;

/// <summary>The forward pass of <see cref="HeadFinder"/>: axis tags through every op between the producers and O.</summary>
internal static partial class HeadFinder
{
    /// <summary>A tracked value: channels on the last axis (<see cref="Tags"/> null; from a producer when <see cref="Segment"/> is set, else merged heads) or split into heads.</summary>
    private sealed record Tracked(char[]? Tags, int Channels, HeadSegment? Segment);

    private sealed class Forward(OnnxGraph graph, HashSet<OnnxNode> region, LinearLayer consumer, long opset)
    {
        private readonly Dictionary<string, Tracked> _state = new(StringComparer.Ordinal);

        public int? HeadCount { get; private set; }

        public int HeadSize { get; private set; }

        public List<HeadSegment> Segments { get; } = [];

        public List<(OnnxNode Node, int Entry, bool Merged)> Reshapes { get; } = [];

        public List<OnnxNode> Splits { get; } = [];

        public IEnumerable<string> Values => _state.Keys;

        public void Seed(LinearLayer source) => _state[source.OutputName] = new Tracked(null, source.OutFeatures, new HeadSegment(source, 0));

        /// <summary>Null when every tracked value ends in O with heads kept apart; else why not.</summary>
        public string? Run()
        {
            foreach (var node in graph.TopologicalOrder())
            {
                var tracked = node.Inputs.Select(i => _state.GetValueOrDefault(i)).ToArray();
                if (tracked.All(t => t is null))
                {
                    continue;
                }

                if (ReferenceEquals(node, consumer.Node))
                {
                    if (tracked[0] is not { Tags: null, Segment: null } x || x.Channels != consumer.InFeatures || tracked.Skip(1).Any(t => t is not null))
                    {
                        return $"'{consumer.Name}' does not read merged heads";
                    }

                    continue;
                }

                if (!region.Contains(node) || node.Outputs.Any(graph.IsGraphOutput))
                {
                    return $"'{Display(node)}' ({node.OpType}) also reads the attention values";
                }

                if (Step(node, tracked) is { } why)
                {
                    return $"'{Display(node)}' ({node.OpType}) {why}";
                }
            }

            return null;
        }

        private string? Step(OnnxNode node, Tracked?[] input)
        {
            var x = input[0];
            switch (node.OpType)
            {
                case "Split" when x is { Tags: null, Segment: { Offset: 0 } s } && x.Channels == s.Layer.OutFeatures:
                    return SplitProducer(node, s.Layer);
                case "Split" when x is { Tags: { } tags } && Axis(node, tags.Length) is { } a && tags[a] != 'H':
                    return SetAll(node, x);
                case "Reshape" when x is not null:
                    return Reshape(node, x);
                case "Transpose" when x is { Tags: { } tags }:
                    var perm = node.GetInts("perm", [.. Enumerable.Range(0, tags.Length).Reverse().Select(i => (long)i)]);
                    return perm.Length != tags.Length ? "has a perm of another rank" : Set(node, new Tracked([.. perm.Select(p => tags[p])], 0, null));
                case "Softmax" when x is { Tags: { } tags }:
                    var axis = Axis(node, tags.Length, opset >= 13 ? -1 : 1);
                    return axis is { } sa && sa == tags.Length - 1 ? SetAll(node, x) : "normalizes across more than the last axis";
                case "MatMul":
                    return MatMul(node, input[0], input[1]);
                case "Add" or "Sub" or "Mul" or "Div" or "Where":
                    return Elementwise(node, input);
                case "Concat" when input.All(t => t is { Tags: { } }) && x!.Tags is { } ct && input.All(t => t!.Tags!.SequenceEqual(ct))
                                   && Axis(node, ct.Length) is { } ca && ct[ca] != 'H':
                    return SetAll(node, x);
                default:
                    return "is not an op whose effect on heads is known";
            }
        }

        private string? SplitProducer(OnnxNode split, LinearLayer layer)
        {
            var rank = ShapeEntries.RankOf(graph, layer.OutputName);
            var axis = split.GetInt("axis", 0);
            if (rank is not { } r || (axis < 0 ? axis + r : axis) != r - 1)
            {
                return "does not split the last axis (or its rank is unknown)";
            }

            long[] sizes = split.Inputs.Count > 1 && split.Inputs[1].Length > 0
                ? graph.TryGetWeight(split.Inputs[1], out var t) ? t.ToInt64Array() : []
                : split.GetInts("split", [.. Enumerable.Repeat((long)(layer.OutFeatures / split.Outputs.Count), split.Outputs.Count)]);
            if (sizes.Length != split.Outputs.Count || sizes.Sum() != layer.OutFeatures)
            {
                return "has split sizes that are not constant or do not add up";
            }

            var offset = 0;
            for (var i = 0; i < sizes.Length; i++)
            {
                _state[split.Outputs[i]] = new Tracked(null, (int)sizes[i], new HeadSegment(layer, offset));
                offset += (int)sizes[i];
            }

            Splits.Add(split);
            return null;
        }

        private string? Reshape(OnnxNode node, Tracked x)
        {
            if (ShapeEntries.Resolve(graph, node.Inputs[1]) is not { } entries || node.GetInt("allowzero", 0) != 0)
            {
                return "has a shape that is neither constant nor a Concat of constants and single run-time entries";
            }

            if (x is { Tags: null, Segment: { } segment })
            {
                // Channels → [.., heads, head_size (, ...)]: the entries from p on are constants whose product is the width.
                long product = 1;
                for (var p = entries.Length - 1; p >= 0 && entries[p] is > 0; p--)
                {
                    product *= entries[p]!.Value;
                    if (product == x.Channels && p < entries.Length - 1)
                    {
                        var heads = (int)entries[p]!.Value;
                        if (HeadCount is { } known && (known != heads || HeadSize != x.Channels / heads))
                        {
                            return $"splits into {heads} heads, another producer into {known}";
                        }

                        (HeadCount, HeadSize) = (heads, x.Channels / heads);
                        if (!Segments.Contains(segment))
                        {
                            Segments.Add(segment);
                        }

                        Reshapes.Add((node, p, false));
                        return Set(node, new Tracked(HeadTags(entries.Length, p), 0, null));
                    }
                }

                return "does not split the channels into heads";
            }

            if (x is not { Tags: { } tags } || HeadCount is not { } h)
            {
                return "reshapes merged heads again";
            }

            var at = Array.IndexOf(tags, 'H');
            if (tags.Skip(at + 1).Any(t => t != 'D'))
            {
                return "changes the layout of values whose head axis is not followed by the head's own axes";
            }

            // Heads → heads (RoPE's pairs back to one axis): some entry is the head count and the constant tail after it is one head.
            long tail = 1;
            for (var p = entries.Length - 1; p >= 0 && entries[p] is > 0; p--)
            {
                if (entries[p] == h && tail == HeadSize)
                {
                    Reshapes.Add((node, p, false));
                    return Set(node, new Tracked(HeadTags(entries.Length, p), 0, null));
                }

                tail *= entries[p]!.Value;
            }

            // Heads merged back into channels: [.., heads, head_size] → [.., heads·head_size], the axes before unchanged.
            if (entries.Length == at + 1 && (entries[^1] is null or -1 || entries[^1] == h * HeadSize))
            {
                Reshapes.Add((node, entries.Length - 1, true));
                return Set(node, new Tracked(null, h * HeadSize, null));
            }

            return "reshapes the heads in a way that is not a split or a merge";
        }

        private string? MatMul(OnnxNode node, Tracked? a, Tracked? b)
        {
            if (a?.Tags is not { } ta || b?.Tags is not { } tb)
            {
                return "reads heads on one side only (grouped-query attention repeats K/V heads; that is left intact)";
            }

            var r = ta.Length;
            if (tb.Length != r || r < 3 || !ta[..(r - 2)].SequenceEqual(tb[..(r - 2)]) || !ta[..(r - 2)].Contains('H') || ta[r - 1] != tb[r - 2])
            {
                return "does not pair heads with heads";
            }

            return Set(node, new Tracked([.. ta[..(r - 2)], ta[r - 2], tb[r - 1]], 0, null));
        }

        private string? Elementwise(OnnxNode node, Tracked?[] input)
        {
            var first = node.OpType == "Where" ? 1 : 0;
            if (node.OpType == "Where" && input[0] is not null)
            {
                return "chooses by a value that carries heads";
            }

            var tags = input.Skip(first).FirstOrDefault(t => t is not null)?.Tags;
            if (tags is null)
            {
                return "works on channels before they are split into heads";
            }

            for (var i = first; i < node.Inputs.Count; i++)
            {
                if (input[i] is { } t)
                {
                    if (t.Tags is null || !t.Tags.SequenceEqual(tags))
                    {
                        return "combines values whose axes differ";
                    }
                }
                else if (ConstantValues.TryGet(graph, node.Inputs[i], out var c))
                {
                    // Broadcast aligns from the right; a constant may vary along any axis but the heads'.
                    var dims = c.Dims;
                    if (dims.Length > tags.Length || dims.Where((d, k) => d != 1 && tags[tags.Length - dims.Length + k] == 'H').Any())
                    {
                        return "mixes in a constant with a value per head";
                    }
                }

                // A run-time operand that carries no heads (a causal mask) broadcasts over them; were it one per head, ONNX
                // Runtime would refuse the pruned shapes rather than compute something else.
            }

            return SetAll(node, new Tracked(tags, 0, null));
        }

        private string? SetAll(OnnxNode node, Tracked value)
        {
            foreach (var o in node.Outputs.Where(o => o.Length > 0))
            {
                _state[o] = value with { Segment = null };
            }

            return null;
        }

        private string? Set(OnnxNode node, Tracked value) => SetAll(node, value);

        private static char[] HeadTags(int rank, int headAxis) =>
            [.. Enumerable.Range(0, rank).Select(i => i < headAxis ? '?' : i == headAxis ? 'H' : 'D')];

        private static int? Axis(OnnxNode node, int rank, int fallback = 0)
        {
            var axis = node.GetInt("axis", fallback);
            axis = axis < 0 ? axis + rank : axis;
            return axis >= 0 && axis < rank ? (int)axis : null;
        }
    }
}
