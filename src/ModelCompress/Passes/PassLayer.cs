using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using ModelCompress.Analysis;
using ModelCompress.Onnx;

namespace ModelCompress.Passes;

/// <summary>
/// One linear layer a pass works on: a MatMul, Gemm or Conv node whose weight input is a constant float32 tensor.
/// <see cref="Weights"/>, <see cref="WeightShape"/> and <see cref="ChannelAxis"/> are the layer's work input (with its
/// input statistics and the step settings); <see cref="Node"/> is only for applying the result to this run's graph.
/// <para>
/// The weights may be given as an array, or as the tensor that holds them (or a way to build them) so that a layer
/// whose result comes from the cache is keyed from the tensor's bytes (<see cref="WeightHash"/>) without a copy of its
/// values being made: a run where nothing changed touches each weight once, to hash it. Tensors are immutable (passes
/// put new ones in the graph), so the values seen later are the values found.
/// </para>
/// </summary>
public sealed record PassLayer
{
    private readonly Func<float[]>? _build;
    private readonly OnnxTensor? _source;
    private readonly Func<byte[]>? _hash;
    private float[]? _weights;
    private byte[]? _weightHash;

    /// <summary>The unit of work for one analyzed layer: its weight tensor as found, per output channel (<see cref="LinearLayer.OutputChannelAxis"/>).</summary>
    public static PassLayer Of(LinearLayer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        return new PassLayer(layer.Node, 1, layer.WeightName, layer.Weight.Dims, layer.OutputChannelAxis, layer.InputName, layer.Weight) { Layer = layer };
    }

    /// <summary>
    /// The unit for an analyzed layer whose input statistics are those of its unfolded input patches when it is a Conv
    /// (<see cref="Calibration.ConvPatches"/>: what Wanda, SparseGPT, PST and distillation weigh a kernel by) and it
    /// is 1-D or 2-D, else as <see cref="Of"/>.
    /// </summary>
    public static PassLayer OfPatches(LinearLayer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        // ConvGeometry unfolds 1-D and 2-D convolutions; a 3-D one keeps its raw input (and the passes' fallbacks).
        return layer.Kind != LinearLayerKind.Conv || layer.Weight.Rank is not (3 or 4) ? Of(layer)
            : new PassLayer(layer.Node, 1, layer.WeightName, layer.Weight.Dims, layer.OutputChannelAxis, Calibration.ConvPatches.ViewName(layer.Node), layer.Weight)
            {
                Layer = layer,
            };
    }

    /// <summary>The analyzed layer behind this unit (for a pass's Apply).</summary>
    public LinearLayer AnalyzedLayer => Layer ?? throw new InvalidOperationException($"'{Name}' is not a single analyzed layer.");

    /// <summary>A layer with its weight values at hand.</summary>
    /// <param name="node">The node in the graph being edited.</param>
    /// <param name="weightInputIndex">Which input of <paramref name="node"/> is the weight.</param>
    /// <param name="weightName">The weight tensor's name (an initializer or a Constant node's output).</param>
    /// <param name="weightShape">The weight's dimensions.</param>
    /// <param name="channelAxis">The weight axis indexing output channels (MatMul: last; Gemm: 0 with transB, else 1; Conv: 0).</param>
    /// <param name="activationName">The activation input the weight multiplies (for input statistics).</param>
    /// <param name="weights">The weight values, row-major.</param>
    public PassLayer(
        OnnxNode node, int weightInputIndex, string weightName, IReadOnlyList<long> weightShape, int channelAxis, string activationName, float[] weights)
        : this(node, weightInputIndex, weightName, weightShape, channelAxis, activationName)
    {
        ArgumentNullException.ThrowIfNull(weights);
        _weights = weights;
    }

    /// <summary>A layer whose weight values are exactly <paramref name="source"/>'s (a float32 tensor, row-major).</summary>
    internal PassLayer(
        OnnxNode node, int weightInputIndex, string weightName, IReadOnlyList<long> weightShape, int channelAxis, string activationName, OnnxTensor source)
        : this(node, weightInputIndex, weightName, weightShape, channelAxis, activationName)
    {
        if (source.DataType != TensorDataType.Float)
        {
            throw new ArgumentException($"'{source.Name}' is not a float32 tensor.", nameof(source));
        }

        _source = source;
    }

    /// <summary>
    /// A layer whose weight values <paramref name="build"/> makes on first use; <paramref name="hash"/> gives the
    /// SHA-256 of the bytes they would have without making them.
    /// </summary>
    internal PassLayer(
        OnnxNode node, int weightInputIndex, string weightName, IReadOnlyList<long> weightShape, int channelAxis, string activationName,
        Func<float[]> build, Func<byte[]> hash)
        : this(node, weightInputIndex, weightName, weightShape, channelAxis, activationName)
    {
        _build = build;
        _hash = hash;
    }

    private PassLayer(OnnxNode node, int weightInputIndex, string weightName, IReadOnlyList<long> weightShape, int channelAxis, string activationName)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(weightName);
        ArgumentNullException.ThrowIfNull(weightShape);
        ArgumentNullException.ThrowIfNull(activationName);
        Node = node;
        WeightInputIndex = weightInputIndex;
        WeightName = weightName;
        WeightShape = weightShape;
        ChannelAxis = channelAxis;
        ActivationName = activationName;
    }

    /// <summary>
    /// The layer as <see cref="GraphAnalyzer"/> found it (bias, input, kind), so that a pass's Apply edits the graph
    /// without analyzing it again; null for a unit that is not one analyzed layer (a SmoothQuant group).
    /// </summary>
    public LinearLayer? Layer { get; init; }

    /// <summary>The node in the graph being edited.</summary>
    public OnnxNode Node { get; }

    /// <summary>Which input of <see cref="Node"/> is the weight.</summary>
    public int WeightInputIndex { get; }

    /// <summary>The weight tensor's name (an initializer or a Constant node's output).</summary>
    public string WeightName { get; }

    /// <summary>The weight's dimensions.</summary>
    public IReadOnlyList<long> WeightShape { get; }

    /// <summary>The weight axis indexing output channels (MatMul: last; Gemm: 0 with transB, else 1; Conv: 0).</summary>
    public int ChannelAxis { get; }

    /// <summary>The activation input the weight multiplies (for input statistics).</summary>
    public string ActivationName { get; }

    /// <summary>The weight values, row-major (made on first use when the layer was found without them).</summary>
    public float[] Weights => _weights ??= _build?.Invoke() ?? _source!.ToFloatArray();

    /// <summary>
    /// Forgets the weight values made on first use, when they can be made again (from the tensor or the builder the
    /// layer was found with); values given as an array are kept. The next <see cref="Weights"/> makes them anew.
    /// </summary>
    public void ReleaseWeights()
    {
        if (_build is not null || _source is not null)
        {
            _weights = null;
        }
    }

    /// <summary>Whether the layer holds its weight values as an array now (made on first use, or given).</summary>
    internal bool HoldsWeights => _weights is not null;

    /// <summary>The weight values without a copy when the layer reads them from a tensor.</summary>
    public ReadOnlySpan<float> WeightValues => _weights is null && _source is not null ? _source.AsSpan<float>() : Weights;

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
    public ReadOnlySpan<byte> WeightBytes => MemoryMarshal.AsBytes(WeightValues);

    /// <summary>SHA-256 of <see cref="WeightBytes"/> (what the work key holds of the weights), taken once.</summary>
    public byte[] WeightHash => _weightHash ??= _weights is null && _hash is not null ? _hash() : SHA256.HashData(WeightBytes);

    /// <summary>Takes the weight hash a run stored for this very layer (same model digest), so the weights are not read to hash them.</summary>
    internal void UseKnownWeightHash(byte[] hash) => _weightHash ??= hash;
}
