using ModelCompress.Onnx;

namespace ModelCompress.Passes;

/// <summary>
/// Finds the linear layers of a model's main graph: MatMul with a constant float32 right operand of rank ≥ 2, Gemm
/// with a constant float32 B, and Conv with a constant float32 kernel. Constants may be initializers, Constant
/// nodes, or a Reshape of such a constant by a constant shape (exporters such as CNTK's write the MNIST classifier's
/// weight that way). Subgraphs (If/Loop bodies) are not searched.
/// </summary>
public static class LinearLayerFinder
{
    /// <summary>The linear layers in node order, minus those <paramref name="exclude"/> matches (node name, op type).</summary>
    public static IReadOnlyList<PassLayer> Find(OnnxModel model, Func<string, string, bool>? exclude = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = model.Graph;
        var layers = new List<PassLayer>();
        foreach (var node in graph.Nodes)
        {
            if (!node.IsDefaultDomain || node.Inputs.Count < 2 || exclude?.Invoke(node.Name, node.OpType) == true)
            {
                continue;
            }

            var weightName = node.Inputs[1];
            if (weightName.Length == 0 || !TryResolveFloatConstant(graph, weightName, depth: 0, out var values, out var dims))
            {
                continue;
            }

            int? axis = node.OpType switch
            {
                "MatMul" when dims.Length >= 2 => dims.Length - 1,
                "Gemm" when dims.Length == 2 => node.GetInt("transB", 0) != 0 ? 0 : 1,
                "Conv" when dims.Length >= 3 => 0,
                _ => null,
            };
            if (axis is null || values.Length == 0)
            {
                continue;
            }

            layers.Add(new PassLayer(node, 1, weightName, dims, axis.Value, node.Inputs[0], values));
        }

        return layers;
    }

    /// <summary>
    /// The float32 value of <paramref name="value"/> when it is constant: a weight (initializer or Constant output),
    /// or Reshape(constant, constant shape) — ONNX Reshape keeps row-major order, so only the dims change.
    /// </summary>
    public static bool TryResolveFloatConstant(OnnxGraph graph, string value, int depth, out float[] values, out long[] dims)
    {
        ArgumentNullException.ThrowIfNull(graph);
        values = [];
        dims = [];
        if (graph.TryGetWeight(value, out var weight))
        {
            if (weight.DataType != TensorDataType.Float)
            {
                return false;
            }

            values = weight.ToFloatArray();
            dims = weight.Dims;
            return true;
        }

        if (depth > 4 || graph.GetProducer(value) is not { OpType: "Reshape", IsDefaultDomain: true } reshape
            || reshape.Inputs.Count < 2 || reshape.GetInt("allowzero", 0) != 0
            || !graph.TryGetWeight(reshape.Inputs[1], out var shapeTensor)
            || !TryResolveFloatConstant(graph, reshape.Inputs[0], depth + 1, out values, out var inner))
        {
            return false;
        }

        var target = shapeTensor.ToInt64Array();
        var known = 1L;
        var infer = -1;
        for (var i = 0; i < target.Length; i++)
        {
            if (target[i] == 0 && i < inner.Length)
            {
                target[i] = inner[i]; // 0 copies the input's dimension (allowzero = 0)
            }

            if (target[i] == -1 && infer < 0)
            {
                infer = i;
            }
            else if (target[i] < 0)
            {
                return false;
            }
            else
            {
                known *= target[i];
            }
        }

        if (infer >= 0)
        {
            if (known == 0 || values.Length % known != 0)
            {
                return false;
            }

            target[infer] = values.Length / known;
        }

        dims = target;
        return Data.NdArray.ElementCount(target) == values.Length;
    }
}
