using ModelCompress.Onnx;

namespace ModelCompress.Analysis;

/// <summary>
/// A Gather that looks rows up in a constant float table [rows, width] (token or position embeddings). Such tables
/// are weight-only quantized per row: they can be a large share of a small language model's bytes.
/// </summary>
/// <param name="Node">The Gather node.</param>
/// <param name="Table">The table tensor.</param>
public sealed record EmbeddingTable(OnnxNode Node, OnnxTensor Table)
{
    /// <summary>The node's name, or its output when it has none.</summary>
    public string Name => Node.Name.Length > 0 ? Node.Name : Node.Outputs[0];

    /// <summary>The table's value name (Gather input 0).</summary>
    public string TableName => Node.Inputs[0];
}
