using ModelCompress.Onnx;

namespace ModelCompress.Passes;

/// <summary>
/// Finds the linear layers of a model's main graph: MatMul with a constant float32 right operand of rank ≥ 2, Gemm
/// with a constant float32 B, and Conv with a constant float32 kernel. Constants may be initializers or Constant
/// nodes. Subgraphs (If/Loop bodies) are not searched.
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
            if (weightName.Length == 0 || !graph.TryGetWeight(weightName, out var weight) || weight.DataType != TensorDataType.Float)
            {
                continue;
            }

            var dims = weight.Dims;
            int? axis = node.OpType switch
            {
                "MatMul" when dims.Length >= 2 => dims.Length - 1,
                "Gemm" when dims.Length == 2 => node.GetInt("transB", 0) != 0 ? 0 : 1,
                "Conv" when dims.Length >= 3 => 0,
                _ => null,
            };
            if (axis is null || weight.ElementCount == 0)
            {
                continue;
            }

            layers.Add(new PassLayer(node, 1, weightName, dims, axis.Value, node.Inputs[0], weight.ToFloatArray()));
        }

        return layers;
    }
}
