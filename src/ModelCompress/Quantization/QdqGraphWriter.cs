using ModelCompress.Kernels;
using ModelCompress.Onnx;
using Q = ModelCompress.Kernels.Quantization;

namespace ModelCompress.Quantization;

/// <summary>
/// Writes quantized constants and Q/DQ nodes into a graph (ONNX QDQ format: QuantizeLinear/DequantizeLinear pairs
/// around float ops, which ONNX Runtime fuses into integer kernels). New names are unique in the graph.
/// </summary>
internal sealed class QdqGraphWriter(OnnxGraph graph)
{
    // Edits held back by Defer, in the order they were asked for.
    private List<Action>? _pending;

    public OnnxGraph Graph { get; } = graph;

    /// <summary>
    /// Holds back every graph edit (new initializers and nodes, <see cref="SetInput"/>) until <see cref="Flush"/>;
    /// names are still taken as each is asked for. Every edit makes the graph collect its names again for the next
    /// fresh name, so writing many layers edit by edit cost more than the rest of applying them. Names come out the
    /// same: they are reserved as they are handed out, and a held-back edit only adds a name already reserved. Only
    /// for a writer whose caller reads nothing it has written before the flush.
    /// </summary>
    public void Defer() => _pending ??= [];

    /// <summary>Applies the held-back edits in order and stops holding edits back.</summary>
    public void Flush()
    {
        var pending = _pending ?? [];
        _pending = null;
        pending.ForEach(edit => edit());
    }

    /// <summary>Sets input <paramref name="index"/> of <paramref name="node"/> to <paramref name="value"/> (held back while deferred).</summary>
    public void SetInput(OnnxNode node, int index, string value) => Edit(() => node.Inputs[index] = value);

    /// <summary>Appends <paramref name="value"/> to the inputs of <paramref name="node"/> (held back while deferred).</summary>
    public void AddInput(OnnxNode node, string value) => Edit(() => node.Inputs.Add(value));

    /// <summary>A DequantizeLinear of a quantized value whose output is <paramref name="output"/> (a name the graph no longer defines).</summary>
    public void DequantizeAs(string output, string quantized, string scale, string zeroPoint)
    {
        var node = new OnnxNode("DequantizeLinear", [quantized, scale, zeroPoint], [output], Graph.UniqueName(output + "_DequantizeLinear"));
        Edit(() => Graph.AddNode(node));
    }

    /// <summary>Adds <paramref name="tensor"/> under a fresh name derived from its own and returns that name.</summary>
    public string Constant(OnnxTensor tensor)
    {
        var name = Graph.UniqueName(tensor.Name);
        var named = tensor.Name == name ? tensor : tensor.WithName(name);
        Edit(() => Graph.AddInitializer(named));
        return name;
    }

    private void Edit(Action edit)
    {
        if (_pending is { } pending)
        {
            pending.Add(edit);
        }
        else
        {
            edit();
        }
    }

    /// <summary>
    /// Stores a quantized weight as an int8 initializer and returns the output of a DequantizeLinear that restores it
    /// (per axis when the plan has one scale per channel). <paramref name="int8Tensor"/> makes the int8 weight tensor
    /// (in memory when null).
    /// </summary>
    public string DequantizedWeight(string baseName, QuantizedLinear plan, Func<string, long[], sbyte[], OnnxTensor>? int8Tensor = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var qName = Constant(int8Tensor is null
            ? OnnxTensor.FromInt8(baseName + "_quantized", plan.Dims, plan.Values)
            : int8Tensor(baseName + "_quantized", plan.Dims, plan.Values));
        return Dequantize(baseName, qName, plan.Scales, new sbyte[plan.Scales.Length], plan.Axis >= 0 ? plan.Axis : null);
    }

    /// <summary>
    /// Restores a weight stored as int8 for a layer that keeps float activations (weight-only): x = DequantizeLinear(q,
    /// scale, zero point 0, axis) — ONNX's y = (x − zp) · scale — or, where the model's opset cannot have that
    /// (<paramref name="castMul"/>), x = Cast(q → float) · scale with the scale shaped to broadcast along the channel
    /// axis, which every opset ≥ 7 runs. The constants are added now; the nodes are returned for the caller to place
    /// before every reader of <paramref name="output"/> (weights read inside subgraphs are restored in the graph that
    /// defines them). <paramref name="int8Tensor"/> makes the int8 weight tensor (in memory when null).
    /// </summary>
    public OnnxNode[] RestoredWeight(
        string baseName, string nodeBaseName, QuantizedLinear plan, bool castMul, Func<string, long[], sbyte[], OnnxTensor>? int8Tensor, out string output)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var perAxis = plan.Axis >= 0;
        var qName = Constant(int8Tensor is null
            ? OnnxTensor.FromInt8(baseName + "_quantized", plan.Dims, plan.Values)
            : int8Tensor(baseName + "_quantized", plan.Dims, plan.Values));
        if (castMul)
        {
            long[] broadcast = perAxis ? [.. plan.Dims.Select((d, i) => i == plan.Axis ? d : 1L)] : [];
            var scaleName = Constant(OnnxTensor.FromFloats(baseName + "_scale", broadcast, plan.Scales));
            var castName = Graph.UniqueName(baseName + "_int8_as_float");
            output = Graph.UniqueName(baseName + "_dequantized");
            var cast = new OnnxNode("Cast", [qName], [castName], Graph.UniqueName(nodeBaseName + "/weight/Cast"));
            cast.SetAttribute("to", (long)TensorDataType.Float);
            return [cast, new OnnxNode("Mul", [castName, scaleName], [output], Graph.UniqueName(nodeBaseName + "/weight/Mul"))];
        }

        long[] dims = perAxis ? [plan.Scales.Length] : [];
        var scale = Constant(OnnxTensor.FromFloats(baseName + "_scale", dims, plan.Scales));
        var zeroPoint = Constant(OnnxTensor.FromInt8(baseName + "_zero_point", dims, new sbyte[plan.Scales.Length]));
        output = Graph.UniqueName(baseName + "_dequantized");
        var node = new OnnxNode("DequantizeLinear", [qName, scale, zeroPoint], [output], Graph.UniqueName(nodeBaseName + "/weight/DequantizeLinear"));
        if (perAxis)
        {
            node.SetAttribute("axis", plan.Axis);
        }

        return [node];
    }

    /// <summary>
    /// Stores a bias as int32 with step S_x·S_w[n] and zero point 0, as QLinearConv/QGemm expect (the integer
    /// accumulator's own scale, Jacob et al. 2018 §2.4). Returns null when a value would not fit int32.
    /// </summary>
    public string? DequantizedBias(string baseName, float[] bias, float activationScale, float[] weightScales)
    {
        var scales = new float[weightScales.Length];
        for (var i = 0; i < scales.Length; i++)
        {
            scales[i] = activationScale * weightScales[i];
        }

        var q = new int[bias.Length];
        for (var i = 0; i < bias.Length; i++)
        {
            var s = scales[scales.Length == 1 ? 0 : i];
            var v = s > 0 ? Math.Round((double)bias[i] / s, MidpointRounding.ToEven) : 0;
            if (!double.IsFinite(v) || v > int.MaxValue || v < int.MinValue || !(s > 0))
            {
                return null;
            }

            q[i] = (int)v;
        }

        var qName = Constant(OnnxTensor.FromInt32(baseName + "_quantized", [bias.Length], q));
        var scaleName = Constant(scales.Length == 1
            ? OnnxTensor.FromFloats(baseName + "_scale", [], scales)
            : OnnxTensor.FromFloats(baseName + "_scale", [scales.Length], scales));
        var zpName = Constant(scales.Length == 1
            ? OnnxTensor.FromInt32(baseName + "_zero_point", [], [0])
            : OnnxTensor.FromInt32(baseName + "_zero_point", [scales.Length], new int[scales.Length]));
        return Node("DequantizeLinear", baseName + "_DequantizeLinear", [qName, scaleName, zpName], scales.Length == 1 ? null : 0);
    }

    /// <summary>A QuantizeLinear of <paramref name="value"/> with per-tensor parameters; returns the quantized value and its constants.</summary>
    public (string Quantized, string Scale, string ZeroPoint) Quantize(string value, QuantizationParameters p, QuantizedType type)
    {
        var scale = Constant(OnnxTensor.FromFloats(value + "_scale", [], [p.Scale]));
        var zp = Constant(type == QuantizedType.UInt8
            ? OnnxTensor.FromUInt8(value + "_zero_point", [], [(byte)p.ZeroPoint])
            : OnnxTensor.FromInt8(value + "_zero_point", [], [(sbyte)p.ZeroPoint]));
        var q = Node("QuantizeLinear", value + "_QuantizeLinear", [value, scale, zp], null);
        return (q, scale, zp);
    }

    /// <summary>A DequantizeLinear of an already quantized value.</summary>
    public string Dequantize(string baseName, string quantized, string scale, string zeroPoint) =>
        Node("DequantizeLinear", baseName + "_DequantizeLinear", [quantized, scale, zeroPoint], null);

    /// <summary>Adds a node with one fresh output and returns that output.</summary>
    public string Node(string opType, string baseName, string[] inputs, long? axis, string domain = "")
    {
        var name = Graph.UniqueName(baseName);
        var output = Graph.UniqueName(name + "_output");
        var node = new OnnxNode(opType, inputs, [output], name, domain);
        if (axis is { } a)
        {
            node.SetAttribute("axis", a);
        }

        Edit(() => Graph.AddNode(node));
        return output;
    }

    private string Dequantize(string baseName, string quantized, float[] scales, sbyte[] zeroPoints, int? axis)
    {
        var perAxis = axis is not null;
        var scale = Constant(perAxis
            ? OnnxTensor.FromFloats(baseName + "_scale", [scales.Length], scales)
            : OnnxTensor.FromFloats(baseName + "_scale", [], scales));
        var zp = Constant(perAxis
            ? OnnxTensor.FromInt8(baseName + "_zero_point", [zeroPoints.Length], zeroPoints)
            : OnnxTensor.FromInt8(baseName + "_zero_point", [], zeroPoints));
        return Node("DequantizeLinear", baseName + "_DequantizeLinear", [quantized, scale, zp], axis);
    }

    /// <summary>Quantization parameters for an activation range: uint8 asymmetric (min/max) or int8 symmetric.</summary>
    public static QuantizationParameters ActivationParameters(float min, float max, QuantizedType type) =>
        type == QuantizedType.UInt8
            ? QuantizationParameters.Asymmetric(min, max, QuantizedType.UInt8)
            : QuantizationParameters.Symmetric(Math.Max(Math.Abs(min), Math.Abs(max)), QuantizedType.Int8);

    /// <summary>Fake-quantizes values with per-tensor parameters (quantize then dequantize, as the runtime will).</summary>
    public static void FakeQuantize(Span<float> values, QuantizationParameters p, QuantizedType type)
    {
        if (type == QuantizedType.UInt8)
        {
            var q = new byte[values.Length];
            Q.Quantize(values, p.Scale, (byte)p.ZeroPoint, q);
            Q.Dequantize(q, p.Scale, (byte)p.ZeroPoint, values);
        }
        else
        {
            var q = new sbyte[values.Length];
            Q.Quantize(values, p.Scale, (sbyte)p.ZeroPoint, q);
            Q.Dequantize(q, p.Scale, (sbyte)p.ZeroPoint, values);
        }
    }

}
