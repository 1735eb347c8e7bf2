using ModelCompress.Analysis;
using ModelCompress.Onnx;

namespace ModelCompress.Calibration;

/// <summary>
/// A Conv layer seen as a linear layer on unfolded input patches (im2col): output channel m of group g is the dot
/// product of its kernel row W[m] (C/g · kh · kw values) with the patch of group g that each output position reads,
/// padding included as zeros the way the Conv sees it. Statistics that GPTQ, SparseGPT, Wanda and distillation need
/// for a MatMul input (per-column Σx², H = XᵀX, captured rows) are gathered over these patches instead of the raw
/// activation, whose channel axis the kernel does not contract on its own.
/// <para>
/// A patch view is asked for by a value name of its own, <c>conv-patches:</c> followed by the Conv's first output, so
/// that the engine's calibration (and its cache, keyed by value names and the model) handles it like any other layer
/// input. Columns are in the kernel's stored order per group (c·kh·kw + i·kw + j, <see cref="ConvGeometry.Im2Col"/>),
/// groups side by side: a row has groups × C/g·kh·kw values. <see cref="LogicalColumn"/> maps the pruning layout's
/// reduction order (channel innermost, <c>Pruning.WeightLayout</c>) onto it.
/// </para>
/// </summary>
/// <param name="Node">The Conv node.</param>
/// <param name="WeightDims">The kernel's dimensions [M, C/g, k…].</param>
public sealed record ConvPatches(OnnxNode Node, long[] WeightDims)
{
    /// <summary>What a patch view's name starts with.</summary>
    public const string Prefix = "conv-patches:";

    /// <summary>The Conv's activation input, the tensor calibration observes.</summary>
    public string Input => Node.Inputs[0];

    /// <summary>The number of groups.</summary>
    public int Groups => (int)Node.GetInt("group", 1);

    /// <summary>Kernel positions kh · kw (· …).</summary>
    public int Positions => (int)WeightDims.Skip(2).Aggregate(1L, (a, b) => a * b);

    /// <summary>Input channels per group, C/g.</summary>
    public int GroupChannels => (int)WeightDims[1];

    /// <summary>Columns per group, C/g · kh · kw: the reduction length of one output.</summary>
    public int GroupColumns => GroupChannels * Positions;

    /// <summary>The name under which calibration gathers the patch statistics of <paramref name="conv"/>.</summary>
    public static string ViewName(OnnxNode conv)
    {
        ArgumentNullException.ThrowIfNull(conv);
        return Prefix + conv.Outputs[0];
    }

    /// <summary>The patch view of a Conv layer (its weight must be constant), as <see cref="GraphAnalyzer"/> found it.</summary>
    public static ConvPatches Of(LinearLayer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (layer.Kind != LinearLayerKind.Conv)
        {
            throw new ArgumentException($"'{layer.Name}' is not a Conv layer", nameof(layer));
        }

        return new ConvPatches(layer.Node, layer.Weight.Dims);
    }

    /// <summary>
    /// The patch view that <paramref name="name"/> names in <paramref name="graph"/>; false when the name is not a
    /// patch view or its Conv (1-D or 2-D, constant kernel) is not there.
    /// </summary>
    public static bool TryResolve(OnnxGraph graph, string name, out ConvPatches patches)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(name);
        patches = null!;
        if (!name.StartsWith(Prefix, StringComparison.Ordinal)
            || graph.GetProducer(name[Prefix.Length..]) is not { OpType: "Conv", IsDefaultDomain: true } node
            || node.Inputs.Count < 2 || !ConstantValues.TryGet(graph, node.Inputs[1], out var weight) || weight.Dims.Length is < 3 or > 4)
        {
            return false;
        }

        patches = new ConvPatches(node, weight.Dims);
        return true;
    }

    /// <summary>
    /// The stored column (within a group) of logical reduction index <paramref name="logical"/> = s·(C/g) + c, for
    /// kernel position s and group channel c: c·positions + s.
    /// </summary>
    public int LogicalColumn(int logical) => ((logical % GroupChannels) * Positions) + (logical / GroupChannels);

    /// <summary>Per-group values of <paramref name="stored"/> (groups × C/g·kh·kw, stored order) in the logical order of each group.</summary>
    public double[] ToLogical(ReadOnlySpan<double> stored)
    {
        var k = GroupColumns;
        var result = new double[stored.Length];
        for (var g = 0; g < stored.Length / k; g++)
        {
            for (var i = 0; i < k; i++)
            {
                result[(g * k) + i] = stored[(g * k) + LogicalColumn(i)];
            }
        }

        return result;
    }

    /// <summary>A group's Hessian (row-major [K, K] in stored order) in logical order.</summary>
    public double[] HessianToLogical(ReadOnlySpan<double> stored)
    {
        var k = GroupColumns;
        var result = new double[(long)k * k];
        for (var a = 0; a < k; a++)
        {
            var sa = LogicalColumn(a);
            for (var b = 0; b < k; b++)
            {
                result[(a * k) + b] = stored[(sa * k) + LogicalColumn(b)];
            }
        }

        return result;
    }
}
