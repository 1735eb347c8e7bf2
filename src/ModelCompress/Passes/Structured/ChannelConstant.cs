namespace ModelCompress.Passes;

/// <summary>A constant input of a node inside a structure that holds one value per channel along <paramref name="Axis"/>.</summary>
/// <param name="Node">The node name reading it (for messages).</param>
/// <param name="NodeRef">The node.</param>
/// <param name="InputIndex">Which input of the node it is.</param>
/// <param name="Axis">The constant's axis that indexes channels.</param>
internal sealed record ChannelConstant(string Node, ModelCompress.Onnx.OnnxNode NodeRef, int InputIndex, int Axis);
