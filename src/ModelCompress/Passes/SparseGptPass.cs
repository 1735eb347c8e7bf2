using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;
using ModelCompress.Analysis;
using ModelCompress.Calibration;
using ModelCompress.Onnx;
using ModelCompress.Quantization;
using ModelCompress.Recipe;

namespace ModelCompress.Passes;

/// <summary>
/// <c>prune: { method: sparsegpt }</c>: one-shot OBS pruning with weight updates (<see cref="SparseGptPruner"/>) of
/// every MatMul/Gemm weight, from the Hessian H = XᵀX of the layer's input over the calibration data, unstructured
/// to <c>sparsity</c> or N:M along the inputs. The weight stays a dense float32 tensor (its zeros are in place; the
/// file does not shrink). 1-D and 2-D Conv kernels are pruned the same way on their unfolded input patches, group by
/// group (N:M along C/g at each kernel position). A layer whose Hessian cannot be factored is pruned by magnitude and
/// MC4040 names it; a Conv whose C/g does not split into the pattern's groups stays dense (MC4002); 3-D Convs stay
/// dense (MC4041).
/// </summary>
public sealed partial class SparseGptPass : ICompressionPass
{
    private static readonly byte[] Magic = "SGP1"u8.ToArray();
    private readonly PruneStep _step;
    private readonly ConditionalWeakTable<LayerInputStatistics, Int4WeightOnlyPass.FactorResult> _factors = [];

    /// <summary>Creates the pass for a <c>prune</c> step with <c>method: sparsegpt</c>.</summary>
    public SparseGptPass(PruneStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        _step = step;
    }

    /// <inheritdoc />
    public string Name => "sparsegpt";

    /// <inheritdoc />
    public string SettingsFingerprint => _step.SettingsFingerprint() + "|sparsegpt=1";

    /// <inheritdoc />
    public bool RequiresCalibration => true;

    /// <inheritdoc />
    public LayerStatisticsRequest StatisticsRequest => new(Hessian: true);

    /// <inheritdoc />
    public IReadOnlyList<PassLayer> FindLayers(OnnxModel model, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(context);
        var layers = GraphAnalyzer.Analyze(model).Layers.Where(l => !_step.Exclude.Any(e => e.Matches(l.Node.Name, l.Node.OpType))).ToList();
        // 1-D and 2-D Convs are pruned on their unfolded input patches; others stay dense (MC4041).
        var unfolded = layers.Where(l => l.Kind == LinearLayerKind.Conv && l.Weight.Rank is 3 or 4).ToList();
        return [.. MatrixLayers.Of([.. layers.Except(unfolded)], context, "MC4041"), .. unfolded.Select(PassLayer.OfPatches)];
    }

    /// <inheritdoc />
    public byte[] ComputeLayer(PassLayer layer, LayerInputStatistics? statistics, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ct.ThrowIfCancellationRequested();
        if (layer.ActivationName.StartsWith(ConvPatches.Prefix, StringComparison.Ordinal))
        {
            return ComputeConv(layer, statistics ?? throw new InvalidOperationException($"Layer '{layer.Name}' needs its input statistics."),
                ConvPatches.Of(layer.AnalyzedLayer));
        }

        var hessian = statistics?.Hessian ?? throw new InvalidOperationException($"Layer '{layer.Name}' needs its input Hessian.");
        var (outputs, inputs, rows) = Int4WeightOnlyPass.RowsOf(layer);
        if (hessian.Channels != inputs)
        {
            throw new InvalidOperationException($"Layer '{layer.Name}': its input has {hessian.Channels} channels, its weight {inputs} inputs.");
        }

        var factor = _factors.GetValue(statistics, s => HessianFactorCache.Get(s.Hessian!, _step.PercDamp));
        var (n, m) = _step.Pattern is { } p ? (p.N, p.M) : (0, 0);
        SparseGptPruner.Prune(rows, outputs, inputs, _step.Sparsity, _step.BlockSize, n, m, factor.Factor);
        return Encode(factor.Reason, ToLayout(layer, rows, outputs, inputs));
    }

    /// <summary>W [N, K] rows back in the layer's weight layout ([K, N], or [N, K] for Gemm with transB).</summary>
    private static float[] ToLayout(PassLayer layer, double[] rows, int outputs, int inputs)
    {
        var transposed = layer.ChannelAxis == 0;
        var w = new float[rows.Length];
        for (var r = 0; r < outputs; r++)
        {
            for (var c = 0; c < inputs; c++)
            {
                w[transposed ? (r * inputs) + c : (c * outputs) + r] = (float)rows[((long)r * inputs) + c];
            }
        }

        return w;
    }

    private static byte[] Encode(string fallback, float[] weights)
    {
        var text = Encoding.UTF8.GetBytes(fallback);
        var bytes = new byte[8 + text.Length + (4 * weights.Length)];
        Magic.CopyTo(bytes, 0);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), text.Length);
        text.CopyTo(bytes, 8);
        for (var i = 0; i < weights.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(8 + text.Length + (4 * i)), weights[i]);
        }

        return bytes;
    }

    /// <summary>The fallback reason and the pruned weights of a result made by <see cref="ComputeLayer"/>.</summary>
    internal static (string Fallback, float[] Weights) Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 8 || !bytes[..4].SequenceEqual(Magic))
        {
            throw new InvalidDataException("not a SparseGPT layer result");
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]);
        var fallback = Encoding.UTF8.GetString(bytes.Slice(8, length));
        var body = bytes[(8 + length)..];
        var weights = new float[body.Length / 4];
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] = BinaryPrimitives.ReadSingleLittleEndian(body[(4 * i)..]);
        }

        return (fallback, weights);
    }
}
