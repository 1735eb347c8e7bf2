using ModelCompress.Onnx;

namespace ModelCompress.Analysis;

/// <summary>
/// The op that produces a group's shared input activation, and where SmoothQuant's inverse factor 1/s goes.
/// </summary>
/// <param name="Kind">What the producer is.</param>
/// <param name="Node">The producing node (the LayerNormalization, the gamma Mul, the previous MatMul/Gemm), or null for a graph input.</param>
/// <param name="ScaleName">The constant that absorbs 1/s: LayerNorm/RMSNorm gamma, the Mul's constant, or the previous layer's weight.</param>
/// <param name="BiasName">A second constant that absorbs 1/s: LayerNorm beta or the previous layer's bias; null if none.</param>
/// <param name="PreviousLayer">For <see cref="AnchorKind.Linear"/>, the previous layer whose output columns absorb 1/s.</param>
/// <param name="CanFold">Whether 1/s can be folded here (the activation feeds nothing but the group's layers and is no graph output).</param>
/// <param name="Reason">Why folding is not possible, for the report; null when it is.</param>
public sealed record SmoothingAnchor(
    AnchorKind Kind,
    OnnxNode? Node,
    string? ScaleName,
    string? BiasName,
    LinearLayer? PreviousLayer,
    bool CanFold,
    string? Reason)
{
    /// <summary>
    /// For a LayerNorm spelled in plain ops, the Add that applies <see cref="BiasName"/> after the gamma Mul
    /// (<see cref="Node"/>); null otherwise.
    /// </summary>
    public OnnxNode? BiasNode { get; init; }

    /// <summary>The producer's name for reports.</summary>
    public string Describe() => Node is null
        ? Kind.ToString()
        : $"{Kind} '{(Node.Name.Length > 0 ? Node.Name : Node.Outputs[0])}'";
}
