using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using ModelCompress.Analysis;
using ModelCompress.Calibration;
using ModelCompress.Kernels;
using ModelCompress.Onnx;
using ModelCompress.Quantization;
using ModelCompress.Recipe;
using ModelCompress.Reports;

namespace ModelCompress.Passes;

/// <summary>
/// SmoothQuant (<see cref="SmoothQuantizer"/>, Xiao et al. 2023): for each group of layers that share one input
/// (one smoothing vector s), s_j = max|X_j|^α / max|W_j|^(1−α); 1/s is folded into the producer of the input (or a
/// Mul is inserted) and s into the layers' weight rows. The unit of work is the group: its weights side by side
/// (<see cref="PassLayer.Parts"/>), its input's statistics and, with <c>alpha: auto</c>, the input rows captured on the
/// calibration data, which the α search replays through the exact int8 kernel. So the cached result of a group
/// depends on exactly what it reads.
/// </summary>
public sealed class SmoothQuantPass : IWeightReleasingPass
{
    private readonly SmoothQuantStep _step;
    private readonly SmoothQuantOptions _options;
    private readonly AnalysisHandOver _analysis = new();

    /// <summary>Creates the pass; <paramref name="options"/> says how the following int8 step quantizes (for the α search).</summary>
    public SmoothQuantPass(SmoothQuantStep step, SmoothQuantOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(step);
        _step = step;
        _options = options ?? new SmoothQuantOptions();
    }

    /// <inheritdoc />
    public string Name => "smoothquant";

    /// <inheritdoc />
    public string SettingsFingerprint => _step.IsAutoAlpha
        ? _step.SettingsFingerprint() + string.Create(CultureInfo.InvariantCulture,
            $"|search_activations={(_options.ActivationType == QuantizedType.Int8 ? "int8" : "uint8")}|search_per_channel={_options.PerChannelWeights}|search_rows={_options.SearchRows}|select=1se")
        : _step.SettingsFingerprint();

    /// <inheritdoc />
    public bool RequiresCalibration => true;

    /// <inheritdoc />
    public LayerStatisticsRequest StatisticsRequest => _step.IsAutoAlpha ? new(CaptureRows: _options.SearchRows) : LayerStatisticsRequest.MinMax;

    /// <inheritdoc />
    public IReadOnlyList<PassLayer> FindLayers(OnnxModel model, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        var analysis = _analysis.Find(model);
        SubgraphLayers.WarnLeftFloat(analysis, context, "smoothquant");
        return [.. analysis.Groups.Select(ToPassLayer)];
    }

    /// <inheritdoc />
    public byte[] ComputeLayer(PassLayer layer, LayerInputStatistics? statistics, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(layer);
        var stats = statistics ?? throw new InvalidOperationException($"Group '{layer.Name}' needs its input statistics.");
        var k = (int)layer.WeightShape[0];
        var total = (int)layer.WeightShape[1];
        var parts = layer.Parts ?? [total];
        if (stats.AbsMax.Length != k)
        {
            throw new InvalidOperationException($"The input of '{layer.Name}' has {stats.AbsMax.Length} channels, its weights {k} rows.");
        }

        var weightMax = new float[k];
        for (var j = 0; j < k; j++)
        {
            foreach (var v in layer.Weights.AsSpan(j * total, total))
            {
                weightMax[j] = MathF.Max(weightMax[j], MathF.Abs(v));
            }
        }

        var members = new List<(float[] W, int N)>();
        var offset = 0;
        foreach (var n in parts)
        {
            var w = new float[k * n];
            for (var j = 0; j < k; j++)
            {
                layer.Weights.AsSpan((j * total) + offset, n).CopyTo(w.AsSpan(j * n, n));
            }

            members.Add((w, n));
            offset += n;
        }

        var grid = _step.IsAutoAlpha ? AlphaGrid.Values(_step.AlphaLow, _step.AlphaHigh, _step.AlphaStep) : [];
        return SmoothQuantizer.PlanGroup(stats.AbsMax, stats.Min, stats.Max, stats.Rows, weightMax, members, grid, _step, _options, ct, stats.Halves).ToBytes();
    }

    /// <inheritdoc />
    public IReadOnlyList<LayerReport> Apply(OnnxModel model, IReadOnlyList<LayerOutcome> outcomes, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(outcomes);
        var groups = _analysis.Take(model).Groups.ToDictionary(g => g.Activation, StringComparer.Ordinal);
        var planned = outcomes.Select(o => (o.Key, Group: groups[o.Layer.ActivationName], Plan: SmoothGroupPlan.FromBytes(o.Result))).ToList();
        var reports = new List<LayerReport>();
        foreach (var (key, group, plan) in planned)
        {
            // Placement is described before the edit, while the anchor is as the analysis found it.
            var note = SmoothQuantizer.Placement(group, _step.Fold) + string.Create(CultureInfo.InvariantCulture, $"; s in [{plan.Scales.Min():G4}, {plan.Scales.Max():G4}]")
                + (_step.AutoHeadroom ? string.Create(CultureInfo.InvariantCulture, $"; headroom {plan.Headroom:G3}") : string.Empty);
            for (var i = 0; i < group.Layers.Count; i++)
            {
                var l = group.Layers[i];
                var search = plan.Layers[i] is { Curve.Count: > 0 } r ? new AlphaSearchReport(r.BestAlpha, r.MseWithoutSmoothing, r.MseAtChosenAlpha, r.Curve) : null;
                var bytes = (long)l.InFeatures * l.OutFeatures * sizeof(float);
                reports.Add(new LayerReport(l.Name, l.Node.OpType, l.WeightName, l.Weight.Dims, key.Hex, bytes, bytes, null, plan.Alpha, search, note));
            }
        }

        foreach (var (_, group, plan) in planned)
        {
            SmoothQuantizer.Rescale(model.Graph, group, plan.Scales, _step.Fold);
        }

        QdqQuantizer.Finish(model);
        return reports;
    }

    /// <summary>
    /// A group as one unit of work: the members' [K, N_i] weights side by side. The joined matrix is made only when the
    /// group is computed; its key hashes the same bytes row by row straight from the members' tensors, and a lone
    /// untransposed member's tensor already is that matrix.
    /// </summary>
    private static PassLayer ToPassLayer(LayerGroup group)
    {
        var k = group.Channels;
        var members = group.Layers;
        var widths = members.Select(l => l.OutFeatures).ToList();
        var total = widths.Sum();
        var first = members[0];
        if (members.Count == 1 && !first.TransposedWeight && first.Weight.DataType == TensorDataType.Float && first.Weight.ElementCount == (long)k * total)
        {
            return new PassLayer(first.Node, 1, first.WeightName, [k, total], 1, group.Activation, first.Weight) { Parts = widths };
        }

        return new PassLayer(first.Node, 1, first.WeightName, [k, total], 1, group.Activation, () => Join(group), () => JoinedHash(group)) { Parts = widths };
    }

    /// <summary>The members' [K, N_i] weights as one row-major [K, ΣN_i] matrix.</summary>
    private static float[] Join(LayerGroup group)
    {
        var k = group.Channels;
        var weights = group.Layers.Select(l => (W: l.WeightKN(), N: l.OutFeatures)).ToList();
        var total = weights.Sum(w => w.N);
        var joined = new float[k * total];
        var offset = 0;
        foreach (var (w, n) in weights)
        {
            for (var j = 0; j < k; j++)
            {
                w.AsSpan(j * n, n).CopyTo(joined.AsSpan((j * total) + offset, n));
            }

            offset += n;
        }

        return joined;
    }

    /// <summary>SHA-256 of <see cref="Join"/>'s bytes: row j of the joined matrix is row j of each member in turn.</summary>
    private static byte[] JoinedHash(LayerGroup group)
    {
        if (group.Layers.Any(l => l.TransposedWeight || l.Weight.DataType != TensorDataType.Float))
        {
            return SHA256.HashData(MemoryMarshal.AsBytes(Join(group).AsSpan()));
        }

        var members = group.Layers.Select(l => (Raw: l.Weight.GetRawData(), RowBytes: l.OutFeatures * sizeof(float))).ToList();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (var j = 0; j < group.Channels; j++)
        {
            foreach (var (raw, rowBytes) in members)
            {
                hash.AppendData(raw.Span.Slice(j * rowBytes, rowBytes));
            }
        }

        return hash.GetHashAndReset();
    }
}
