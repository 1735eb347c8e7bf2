using ModelCompress.Analysis;
using ModelCompress.Data;
using ModelCompress.Execution;
using ModelCompress.Onnx;
using ModelCompress.Quantization;
using ModelCompress.Recipe;

namespace ModelCompress.Verification;

/// <summary>
/// Per-layer damage of a compressed model, ranked worst first. ONNX Runtime runs the fp32 model on a few verify
/// samples with every int8 layer's input and output exposed as graph outputs; each layer is then run alone with the
/// int8 kernel (<see cref="LayerSimulator"/>) on its fp32 input, using the compressed model's int8 weights, scales
/// and activation parameters, and compared with the fp32 output. Each layer sees the exact fp32 input, so the error
/// measured is that layer's own, not what it inherits from the layers before it.
/// </summary>
public static class LayerErrorAnalyzer
{
    /// <summary>The default number of verify samples the per-layer analysis uses.</summary>
    public const int DefaultSamples = 16;

    /// <summary>Ranks the int8 layers of <paramref name="compressed"/> by damage (lowest SNR first).</summary>
    /// <param name="modelName">The recipe's model name (for messages).</param>
    /// <param name="reference">The fp32 model; it is not changed.</param>
    /// <param name="compressed">The compressed model; it is not changed.</param>
    /// <param name="data">The verify data.</param>
    /// <param name="maxSamples">Use at most this many samples from the start of the data.</param>
    /// <param name="ct">Cancels between samples and inside ONNX Runtime.</param>
    public static IReadOnlyList<LayerError> Analyze(
        string modelName, OnnxModel reference, OnnxModel compressed, DataSource data, long maxSamples, CancellationToken ct) =>
        Analyze(modelName, reference, compressed, data, maxSamples, ct, null);

    /// <summary>As above; a model that can be cut runs segment by segment through <paramref name="segments"/>' cache.</summary>
    internal static IReadOnlyList<LayerError> Analyze(
        string modelName, OnnxModel reference, OnnxModel compressed, DataSource data, long maxSamples, CancellationToken ct, SegmentCacheContext? segments)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(compressed);
        ArgumentNullException.ThrowIfNull(data);
        var (layers, skipped) = QuantizedLayerLocator.Find(compressed);
        var notes = new Dictionary<string, (string Op, string Note)>(StringComparer.Ordinal);
        foreach (var (name, why) in skipped)
        {
            notes[name] = (compressed.Graph.FindNode(name)?.OpType ?? "?", why);
        }

        var probes = new List<LayerProbe>();
        Dictionary<OnnxNode, LinearLayer>? referenceLayers = null;
        foreach (var layer in layers)
        {
            var refNode = layer.Node.Name.Length > 0
                ? reference.Graph.FindNode(layer.Node.Name)
                : reference.Graph.GetProducer(layer.Node.Outputs[0]);
            if (refNode is null || refNode.OpType != layer.OpType || refNode.Inputs.Count == 0)
            {
                notes[layer.Name] = (layer.OpType, "the fp32 model has no such layer");
                continue;
            }

            // The simulator (packed int8 weights) and the smoothing factors are made when the layer is first
            // simulated: a layer whose segment is read back from the cache never needs them.
            // The weight as the layer model resolves it (a constant behind Reshape/Transpose/... included), so the
            // smoothing factors are read in the layout SmoothQuant and the writers used.
            var referenceWeight = refNode.Inputs.Count > 1 && ConstantValues.TryGet(reference.Graph, refNode.Inputs[1], out var w) ? w : null;
            probes.Add(new LayerProbe(
                layer, () => new LayerSimulator(layer), refNode.Inputs[0], FoldedOutput(reference, compressed.Graph, refNode, ref referenceLayers), () => InputSmoothing(layer, compressed.Graph, reference.Graph, refNode), referenceWeight));
        }

        if (probes.Count > 0)
        {
            Measure(modelName, reference, probes, data, maxSamples, ct, segments ?? SegmentCacheContext.None);
        }

        var measured = probes.Where(p => p.Note is null).Select(p => p.Result()).OrderBy(e => e.SnrDb).ThenBy(e => e.Name, StringComparer.Ordinal);
        foreach (var p in probes.Where(p => p.Note is not null))
        {
            notes[p.Layer.Name] = (p.Layer.OpType, p.Note!);
        }

        var unmeasured = notes.OrderBy(n => n.Key, StringComparer.Ordinal)
            .Select(n => new LayerError(n.Key, n.Value.Op, layers.FirstOrDefault(l => l.Name == n.Key)?.ActivationMode ?? "-", null, null, null, n.Value.Note));
        return [.. measured, .. unmeasured];
    }

    private static void Measure(
        string modelName, OnnxModel reference, List<LayerProbe> probes, DataSource data, long maxSamples, CancellationToken ct, SegmentCacheContext segments)
    {
        var observed = probes.SelectMany(p => new[] { p.Input, p.Output }).Distinct(StringComparer.Ordinal).ToList();
        var plan = SegmentPlanner.Plan(reference, observed, SegmentPolicy.Default, [.. probes.Select(p => (p.Input, p.Output))]);
        if (plan.IsSegmented)
        {
            LayerErrorConsumer.Measure(modelName, plan, probes, data, maxSamples, ct, segments);
            return;
        }

        var probe = reference.Clone();
        var graphInputs = probe.Graph.Inputs.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var names = observed.Where(n => !graphInputs.Contains(n)).Order(StringComparer.Ordinal).ToList();

        foreach (var name in names)
        {
            probe.Graph.AddOutput(name);
        }

        using var runner = new OrtModelRunner(probe.ToBytes(), modelName);
        var samples = DataFileReader.ReadSamples(data, runner.Inputs, maxSamples);
        for (long i = 0; i < samples.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var sample = samples.GetSample(i);
            var outputs = runner.Run(sample, names, ct);
            var values = new Dictionary<string, (float[] Values, long[] Shape)>(StringComparer.Ordinal);
            for (var k = 0; k < names.Count; k++)
            {
                values[names[k]] = outputs[k];
            }

            foreach (var (input, value) in sample)
            {
                values[input.Name] = (value.ToFloatArray(), value.Shape.ToArray());
            }

            foreach (var p in probes.Where(p => p.Note is null))
            {
                p.Add(values[p.Input], values[p.Output].Values);
            }
        }
    }

    /// <summary>
    /// The fp32 value a compressed layer's output stands for: the Conv's own output, or, when static int8 folded the
    /// per-channel ops after it (BatchNormalization, Mul, Add: <see cref="ConvOutputs"/>) into its weights and bias, the
    /// last folded op's output — the compressed graph then no longer has that value, or has it from a DequantizeLinear.
    /// </summary>
    private static string FoldedOutput(OnnxModel reference, OnnxGraph compressed, OnnxNode refNode, ref Dictionary<OnnxNode, LinearLayer>? layers)
    {
        if (refNode.OpType != "Conv")
        {
            return refNode.Outputs[0];
        }

        layers ??= GraphAnalyzer.Analyze(reference).Layers.ToDictionary(l => l.Node);
        if (!layers.TryGetValue(refNode, out var layer) || ConvOutputs.Find(reference.Graph, layer).Folded is not { Count: > 0 } folded)
        {
            return refNode.Outputs[0];
        }

        var end = folded[^1].Outputs[0];
        return compressed.GetProducer(end) is null or { OpType: "DequantizeLinear" } ? end : refNode.Outputs[0];
    }

    /// <summary>
    /// The per-input-channel factors s that SmoothQuant moved from this MatMul's input into its weight, or null when
    /// there are none. SmoothQuant (Xiao et al., 2023) computes X·W as (X·diag(s)⁻¹)·(diag(s)·W) and puts diag(s)⁻¹
    /// before the layer, so the compressed layer's input is the fp32 input divided by s and its weight row k is s_k
    /// times the fp32 row. When diag(s)⁻¹ is an explicit Mul on the very value the fp32 layer reads, s is read from it;
    /// when it was folded into an earlier op, s is read back from the weights (<see cref="SmoothingFromWeights"/>).
    /// </summary>
    private static float[]? InputSmoothing(QuantizedLayerView layer, OnnxGraph compressed, OnnxGraph reference, OnnxNode refNode)
    {
        if (layer.OpType != "MatMul" || layer.WeightShape.Length != 2 || refNode.Inputs.Count < 2)
        {
            return null;
        }

        var k = (int)layer.WeightShape[0];
        return SmoothingFromMul(compressed, layer.Node.Inputs[0], refNode.Inputs[0], k) ?? SmoothingFromWeights(layer, reference, refNode);
    }

    /// <summary>
    /// s from <c>Mul(x, 1/s)</c> (through the input's QuantizeLinear/DequantizeLinear pair) where x is the value the fp32
    /// layer reads and 1/s a constant vector over its K channels.
    /// </summary>
    private static float[]? SmoothingFromMul(OnnxGraph compressed, string input, string referenceInput, int k)
    {
        var value = input;
        for (var hop = 0; hop < 2 && compressed.GetProducer(value) is { OpType: "DequantizeLinear" or "QuantizeLinear" } qdq; hop++)
        {
            value = qdq.Inputs[0];
        }

        if (compressed.GetProducer(value) is not { OpType: "Mul", IsDefaultDomain: true, Inputs.Count: 2 } mul)
        {
            return null;
        }

        var x = mul.Inputs[0] == referenceInput ? 0 : mul.Inputs[1] == referenceInput ? 1 : -1;
        if (x < 0 || !ConstantValues.TryGet(compressed, mul.Inputs[1 - x], out var inverse) || inverse.DataType != Onnx.TensorDataType.Float
            || inverse.ElementCount != k || (inverse.Rank > 0 && inverse.Dims[^1] != k))
        {
            return null;
        }

        var factors = inverse.ToFloatArray();
        for (var j = 0; j < factors.Length; j++)
        {
            if (!(factors[j] > 0) || !float.IsFinite(1f / factors[j]))
            {
                return null;
            }

            factors[j] = 1f / factors[j];
        }

        return factors;
    }

    /// <summary>
    /// s read back from the weights by least squares per row, s_k = ⟨Ŵ_k, W_k⟩ / ⟨W_k, W_k⟩ with Ŵ the dequantized
    /// int8 weight and W the fp32 weight in the layout the layer model resolves (a constant behind a Reshape included);
    /// int8 rounding moves it by well under 0.1%. A row that int8 rounds to zero (a tiny s_k) says nothing about s_k
    /// and contributes nothing to the product, so it is taken as 1 rather than making the whole layer unreadable.
    /// </summary>
    private static float[]? SmoothingFromWeights(QuantizedLayerView layer, OnnxGraph reference, OnnxNode refNode)
    {
        // Read once: a view may read its weights from the graph on every access.
        var weights = layer.Weights;
        if (!ConstantValues.TryGet(reference, refNode.Inputs[1], out var tensor) || tensor.DataType != Onnx.TensorDataType.Float
            || tensor.ElementCount != weights.Length)
        {
            return null;
        }

        var w = tensor.ToFloatArray();
        int k = (int)layer.WeightShape[0], n = (int)layer.WeightShape[1];
        var scales = layer.WeightScales;
        var factors = new float[k];
        var moved = 0;
        var known = 0;
        for (var r = 0; r < k; r++)
        {
            double dot = 0, norm = 0, stored = 0;
            for (var c = 0; c < n; c++)
            {
                double wr = w[(r * n) + c];
                double q = weights[(r * n) + c] * (double)scales[scales.Length == 1 ? 0 : c];
                dot += q * wr;
                norm += wr * wr;
                stored += q * q;
            }

            if (norm == 0 || stored == 0)
            {
                factors[r] = 1f;
                continue;
            }

            factors[r] = (float)(dot / norm);
            if (factors[r] <= 0)
            {
                // A sign-flipped row is not a smoothing factor; compare the layer as stored.
                return null;
            }

            known++;
            if (Math.Abs(factors[r] - 1) > 0.05)
            {
                moved++;
            }
        }

        // Int8 rounding alone leaves s_k near 1 (a short row can stray by a percent or two); SmoothQuant's
        // max|X_j|^α / max|W_j|^(1−α) moves most channels far from 1. Unsmoothed layers are compared as stored.
        return known > 0 && 2 * moved >= known ? factors : null;
    }

    /// <summary>The fp32 input as the smoothed layer sees it: channel k (the last axis) divided by s_k.</summary>
    internal static float[] Smooth(float[] x, float[] s)
    {
        var y = new float[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            y[i] = x[i] / s[i % s.Length];
        }

        return y;
    }

    /// <summary>SNR in dB, 10·log10(Σy² / Σ(y − ŷ)²); +∞ when there is no error at all.</summary>
    public static double SignalToNoiseDb(double signal, double noise) =>
        noise == 0 ? double.PositiveInfinity : 10 * Math.Log10(signal / noise);
}
