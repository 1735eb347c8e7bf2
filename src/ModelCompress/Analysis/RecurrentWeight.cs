using ModelCompress.Onnx;

namespace ModelCompress.Analysis;

/// <summary>
/// A constant float weight of a recurrent op — LSTM, GRU or RNN input <c>W</c> [directions, gates·hidden, input] or
/// <c>R</c> [directions, gates·hidden, hidden]. The op multiplies its input (W) or its hidden state (R) by each row,
/// so axis 1 indexes output units: the per-channel axis of a weight-only quantization. Activations of a recurrence
/// are inside the op, so these weights can only be compressed weight-only.
/// </summary>
/// <param name="Node">The LSTM/GRU/RNN node.</param>
/// <param name="InputIndex">1 for W, 2 for R.</param>
/// <param name="Weight">The weight tensor as found.</param>
public sealed record RecurrentWeight(OnnxNode Node, int InputIndex, OnnxTensor Weight)
{
    /// <summary>The per-channel axis of the weight (its gates·hidden rows).</summary>
    public const int ChannelAxis = 1;

    /// <summary>The node's name (or its first output) with the input it weights, e.g. <c>/lstm/LSTM:W</c>.</summary>
    public string Name => (Node.Name.Length > 0 ? Node.Name : Node.Outputs.FirstOrDefault() ?? "(unnamed)") + (InputIndex == 1 ? ":W" : ":R");

    /// <summary>The weight value (the node's input <see cref="InputIndex"/>).</summary>
    public string WeightName => Node.Inputs[InputIndex];

    /// <summary>The recurrent step's input (input 0 of the node).</summary>
    public string InputName => Node.Inputs[0];

    /// <summary>Whether the node sits inside an If, Loop or Scan subgraph.</summary>
    public bool InSubgraph => Node.Graph?.ParentNode is not null;
}
