using ModelCompress.Onnx;

namespace ModelCompress.Analysis;

public static partial class OpsetUpgrade
{
    // Softmax/LogSoftmax/Hardmax before 13 coerce the input to 2-D, [d0·…·d(a−1), da·…·d(r−1)], and normalise over
    // the second dimension (axis default 1); from 13 they normalise over axis a alone (default −1). The two agree
    // exactly when a is the last axis. Otherwise the old meaning is rebuilt from opset-13 operators:
    // Flatten(axis a) gives that 2-D view, the operator runs over its last axis, and Reshape(Shape(x)) restores the
    // input's shape — correct for any rank, so an unknown rank needs no refusal.
    private static void ConvertSoftmaxFamily(OnnxNode node, ValueFacts facts)
    {
        var axis = node.GetInt("axis", 1);
        var rank = facts.Rank(node.Inputs[0]) ?? facts.Rank(node.Outputs[0]);
        var normalized = axis < 0 && rank is { } r ? axis + r : axis;
        if (axis == -1 || (rank is { } known && normalized == known - 1))
        {
            // Written explicitly: the default moved from 1 to −1 at 13.
            node.SetAttribute("axis", axis);
            return;
        }

        var graph = node.Graph!;
        var prefix = Prefix(node);
        var input = node.Inputs[0];
        var output = node.Outputs[0];
        var flat = graph.UniqueName(prefix + "_2d");
        var normalizedFlat = graph.UniqueName(prefix + "_2d_out");
        var shape = graph.UniqueName(prefix + "_shape");

        var flatten = new OnnxNode("Flatten", [input], [flat], graph.UniqueName(prefix + "_flatten"));
        flatten.SetAttribute("axis", axis);
        var shapeOf = new OnnxNode("Shape", [input], [shape], graph.UniqueName(prefix + "_shape_of"));
        var op = new OnnxNode(node.OpType, [flat], [normalizedFlat], node.Name);
        op.SetAttribute("axis", -1L);
        var reshape = new OnnxNode("Reshape", [normalizedFlat, shape], [output], graph.UniqueName(prefix + "_restore"));
        graph.ReplaceNode(node, flatten, shapeOf, op, reshape);
    }
}
