using ModelCompress.Onnx;

namespace ModelCompress.Quantization;

/// <summary>
/// Rewrites hard-swish written out as elementwise arithmetic, y = x · Clip(x + 3, 0, 6) / 6 (how exporters without a
/// HardSwish op emit it: Add → Clip → Mul → Div), as y = x · HardSigmoid(x) with α = 1/6, β = 1/2.
/// </summary>
public static class HardSwishFusion
{
    /// <summary>
    /// Why: after static int8 runs the convolutions of a MobileNet-style net (PP-LCNet) as QLinearConv, the float
    /// hard-swish between them costs as much as the convolutions: four full passes over each activation (ONNX Runtime
    /// fuses none of them). HardSigmoid is one pass and exists since opset 6, so the model's opset stays; HardSwish
    /// itself would need opset 14. The two forms are equal in exact arithmetic (Clip(x + 3, 0, 6) / 6 =
    /// max(0, min(1, x/6 + 1/2))) and differ in float by a few units in the last place of y. Only chains whose
    /// intermediate values have no other reader are rewritten; the output keeps its name. Returns how many were fused.
    /// </summary>
    public static int Apply(OnnxGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var fused = 0;
        foreach (var div in graph.Nodes.Where(n => n.OpType == "Div" && n.IsDefaultDomain).ToList())
        {
            if (Match(graph, div) is not { } m)
            {
                continue;
            }

            var gate = graph.UniqueName(m.Add.Outputs[0] + "_hardsigmoid");
            var hardSigmoid = new OnnxNode("HardSigmoid", [m.X], [gate], graph.UniqueName(m.Add.Name + "_HardSigmoid"));
            hardSigmoid.SetAttribute("alpha", 1f / 6f);
            hardSigmoid.SetAttribute("beta", 0.5f);
            var constants = m.Add.Inputs.Concat(m.Clip.Inputs.Skip(1)).Append(div.Inputs[1]).Where(v => v != m.X && v.Length > 0).Distinct().ToList();
            graph.RemoveNode(m.Add);
            graph.RemoveNode(m.Clip);
            graph.RemoveNode(div);
            m.Mul.Inputs[0] = m.X;
            m.Mul.Inputs[1] = gate;
            m.Mul.Outputs[0] = div.Outputs[0];
            graph.AddNode(hardSigmoid);
            RemoveUnread(graph, constants);
            fused++;
        }

        if (fused > 0)
        {
            graph.SortTopologically();
        }

        return fused;
    }

    private static (OnnxNode Add, OnnxNode Clip, OnnxNode Mul, string X)? Match(OnnxGraph graph, OnnxNode div)
    {
        if (div.Inputs.Count != 2 || !IsScalar(graph, div.Inputs[1], 6) || graph.GetProducer(div.Inputs[0]) is not { OpType: "Mul", IsDefaultDomain: true } mul
            || mul.Inputs.Count != 2 || !OnlyReader(graph, mul.Outputs[0], div))
        {
            return null;
        }

        for (var side = 0; side < 2; side++)
        {
            var x = mul.Inputs[side];
            if (graph.GetProducer(mul.Inputs[1 - side]) is not { OpType: "Clip", IsDefaultDomain: true } clip || !OnlyReader(graph, clip.Outputs[0], mul)
                || !ClipsTo(graph, clip, 0, 6) || graph.GetProducer(clip.Inputs[0]) is not { OpType: "Add", IsDefaultDomain: true } add
                || add.Inputs.Count != 2 || !OnlyReader(graph, add.Outputs[0], clip))
            {
                continue;
            }

            if ((add.Inputs[0] == x && IsScalar(graph, add.Inputs[1], 3)) || (add.Inputs[1] == x && IsScalar(graph, add.Inputs[0], 3)))
            {
                return (add, clip, mul, x);
            }
        }

        return null;
    }

    /// <summary>Clip's bounds as inputs (opset 11+) or attributes (before).</summary>
    private static bool ClipsTo(OnnxGraph graph, OnnxNode clip, float min, float max)
    {
        if (clip.HasAttribute("min") || clip.HasAttribute("max"))
        {
            return clip.Inputs.Count == 1 && clip.GetFloat("min", float.MinValue) == min && clip.GetFloat("max", float.MaxValue) == max;
        }

        return clip.Inputs.Count == 3 && IsScalar(graph, clip.Inputs[1], min) && IsScalar(graph, clip.Inputs[2], max);
    }

    /// <summary>Drops the chain's scalar constants (initializers or Constant nodes) that nothing reads any more.</summary>
    private static void RemoveUnread(OnnxGraph graph, IEnumerable<string> values)
    {
        foreach (var value in values)
        {
            if (graph.GetConsumers(value).Count > 0 || graph.IsGraphOutput(value) || graph.IsGraphInput(value))
            {
                continue;
            }

            if (graph.Initializers.ContainsKey(value))
            {
                graph.RemoveInitializer(value);
            }
            else if (graph.GetProducer(value) is { OpType: "Constant" } constant)
            {
                graph.RemoveNode(constant);
            }
        }
    }

    private static bool IsScalar(OnnxGraph graph, string value, float expected) =>
        value.Length > 0 && graph.TryGetWeight(value, out var t) && t.DataType == TensorDataType.Float && t.ElementCount == 1
        && t.AsSpan<float>()[0] == expected;

    private static bool OnlyReader(OnnxGraph graph, string value, OnnxNode reader) =>
        !graph.IsGraphOutput(value) && graph.GetConsumers(value) is [var only] && only == reader;
}
