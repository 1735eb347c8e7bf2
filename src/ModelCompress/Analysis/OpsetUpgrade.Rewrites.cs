using ModelCompress.Onnx;

namespace ModelCompress.Analysis;

public static partial class OpsetUpgrade
{
    private static bool CanConvert(OnnxNode node, long opset, ValueFacts facts)
    {
        if (!node.IsDefaultDomain)
        {
            return false;
        }

        return node.OpType switch
        {
            // Clip-11 and later already take min/max as inputs; 12 and 13 only add types.
            "Clip" => opset >= 11 || ClipScalarType(node, facts) is not null,
            // Slice-10 and later already take inputs; 11 and 13 only clarify negative indices and add types.
            "Slice" => true,
            "Squeeze" or "Unsqueeze" or "ReduceSum" => true,
            "Softmax" or "LogSoftmax" or "Hardmax" => true,
            _ => false,
        };
    }

    private static void Convert(OnnxNode node, long opset, ValueFacts facts)
    {
        switch (node.OpType)
        {
            case "Clip" when opset < 11:
                ConvertClip(node, facts);
                break;
            case "Clip":
                break;
            case "Slice" when opset < 10:
                ConvertSlice(node);
                break;
            case "Slice":
                break;
            case "Squeeze" or "Unsqueeze" or "ReduceSum":
                MoveAxesToInput(node);
                break;
            case "Softmax" or "LogSoftmax" or "Hardmax":
                ConvertSoftmaxFamily(node, facts);
                break;
            default:
                throw new InvalidOperationException($"Operator '{node.OpType}' cannot be converted to opset 13; check CanRaiseTo13 first.");
        }
    }

    // Clip-6 holds min/max as float attributes defaulting to the lowest/largest float; Clip-11 takes them as optional
    // scalar inputs of the input's type (absent = no bound). Writing both bounds, with the Clip-6 defaults where an
    // attribute is absent, keeps the result identical even for ±∞ inputs.
    private static void ConvertClip(OnnxNode node, ValueFacts facts)
    {
        var type = ClipScalarType(node, facts)
            ?? throw new InvalidOperationException($"Clip '{node.Name}': the element type of its input is unknown.");
        var graph = node.Graph!;
        var min = node.GetFloat("min", float.MinValue);
        var max = node.GetFloat("max", float.MaxValue);
        var minName = graph.UniqueName(Prefix(node) + "_min");
        graph.AddInitializer(Scalar(minName, type, min));
        var maxName = graph.UniqueName(Prefix(node) + "_max");
        graph.AddInitializer(Scalar(maxName, type, max));
        node.RemoveAttribute("min");
        node.RemoveAttribute("max");
        while (node.Inputs.Count > 1)
        {
            node.Inputs.RemoveAt(node.Inputs.Count - 1);
        }

        node.Inputs.Add(minName);
        node.Inputs.Add(maxName);
    }

    private static TensorDataType? ClipScalarType(OnnxNode node, ValueFacts facts) =>
        node.Inputs.Count > 0 && facts.ElementType(node.Inputs[0]) is var t && t is TensorDataType.Float or TensorDataType.Double or TensorDataType.Float16
            ? t
            : null;

    private static OnnxTensor Scalar(string name, TensorDataType type, float value) => type switch
    {
        TensorDataType.Double => OnnxTensor.FromDoubles(name, [], [value]),
        TensorDataType.Float16 => OnnxTensor.FromFloat16(name, [], [value]),
        _ => OnnxTensor.FromFloats(name, [], [value]),
    };

    // Slice-1 holds starts/ends/axes as attributes; Slice-10 takes them as int64 inputs (axes optional, default all
    // axes in order; steps optional, default 1 — Slice-1 had no steps, so none is written).
    private static void ConvertSlice(OnnxNode node)
    {
        var graph = node.Graph!;
        var inputs = new List<string> { node.Inputs[0] };
        foreach (var name in (string[])["starts", "ends", "axes"])
        {
            if (!node.HasAttribute(name))
            {
                continue;
            }

            var values = node.GetInts(name);
            var tensorName = graph.UniqueName(Prefix(node) + "_" + name);
            graph.AddInitializer(OnnxTensor.FromInt64(tensorName, [values.Length], values));
            inputs.Add(tensorName);
            node.RemoveAttribute(name);
        }

        ReplaceInputs(node, inputs);
    }

    // Squeeze-13, Unsqueeze-13 and ReduceSum-13 take 'axes' as an optional int64 input instead of an attribute.
    // Without axes Squeeze drops every 1-dimension and ReduceSum reduces all axes (noop_with_empty_axes defaults
    // to 0), as before, so a node without the attribute is left as it is.
    private static void MoveAxesToInput(OnnxNode node)
    {
        if (!node.HasAttribute("axes"))
        {
            return;
        }

        var graph = node.Graph!;
        var axes = node.GetInts("axes");
        var name = graph.UniqueName(Prefix(node) + "_axes");
        graph.AddInitializer(OnnxTensor.FromInt64(name, [axes.Length], axes));
        node.RemoveAttribute("axes");
        ReplaceInputs(node, [node.Inputs[0], name]);
    }

    private static void ReplaceInputs(OnnxNode node, IReadOnlyList<string> inputs)
    {
        node.Inputs.Clear();
        foreach (var input in inputs)
        {
            node.Inputs.Add(input);
        }
    }

    private static string Prefix(OnnxNode node) => node.Name.Length > 0 ? node.Name : node.OpType;
}
