using System.Globalization;
using System.Runtime.InteropServices;
using ModelCompress.Onnx;

namespace ModelCompress.Passes;

/// <summary>
/// One linear layer a pass works on: a MatMul, Gemm or Conv node whose weight input is a constant float32 tensor.
/// <see cref="Weights"/>, <see cref="WeightShape"/> and <see cref="ChannelAxis"/> are the layer's work input (with its
/// input statistics and the step settings); <see cref="Node"/> is only for applying the result to this run's graph.
/// </summary>
/// <param name="Node">The node in the graph being edited.</param>
/// <param name="WeightInputIndex">Which input of <paramref name="Node"/> is the weight.</param>
/// <param name="WeightName">The weight tensor's name (an initializer or a Constant node's output).</param>
/// <param name="WeightShape">The weight's dimensions.</param>
/// <param name="ChannelAxis">The weight axis indexing output channels (MatMul: last; Gemm: 0 with transB, else 1; Conv: 0).</param>
/// <param name="ActivationName">The activation input the weight multiplies (for input statistics).</param>
/// <param name="Weights">The weight values, row-major.</param>
public sealed record PassLayer(
    OnnxNode Node,
    int WeightInputIndex,
    string WeightName,
    IReadOnlyList<long> WeightShape,
    int ChannelAxis,
    string ActivationName,
    float[] Weights)
{
    /// <summary>The layer's display name: the node name, or its first output when the node is unnamed.</summary>
    public string Name => Node.Name.Length > 0 ? Node.Name : Node.Outputs.FirstOrDefault() ?? "(unnamed)";

    /// <summary>The operator type.</summary>
    public string OpType => Node.OpType;

    /// <summary>
    /// What besides the weight values defines the layer's work: op type, weight shape and channel axis. Names are left
    /// out so that renaming a node keeps its cache entry.
    /// </summary>
    public string Descriptor => string.Create(CultureInfo.InvariantCulture,
        $"{OpType}|{string.Join(",", WeightShape)}|axis={ChannelAxis}") + (Parts is { } parts ? "|parts=" + string.Join(",", parts) : string.Empty);

    /// <summary>
    /// For a unit of several layers that share one input (a SmoothQuant group: Q/K/V, gate/up), the output width of
    /// each member, in order; <see cref="Weights"/> then holds the members' [K, N_i] weights side by side as one
    /// [K, ΣN_i] matrix. Null for a single layer.
    /// </summary>
    public IReadOnlyList<int>? Parts { get; init; }

    /// <summary>The weight values as little-endian bytes (for the work key).</summary>
    public ReadOnlySpan<byte> WeightBytes => MemoryMarshal.AsBytes(Weights.AsSpan());
}
