using ModelCompress.Analysis;
using ModelCompress.Onnx;
using ModelCompress.Passes;

namespace ModelCompress.Tests.Verification;

/// <summary>
/// Writes QDQ models for tests by hand, the way ONNX Runtime's static quantizer lays them out: each linear layer's
/// weight becomes DequantizeLinear(int8, per-channel scale, zero point 0), and chosen layers get
/// DequantizeLinear(QuantizeLinear(x, S, Z)) on their input with uint8 activations.
/// </summary>
internal static class QdqTestModels
{
    public static OnnxModel Quantize(OnnxModel fp32, Func<PassLayer, (float Scale, byte ZeroPoint)?> activation)
    {
        var model = fp32.Clone();
        var g = model.Graph;
        foreach (var layer in GraphAnalyzer.Analyze(model).Layers.Select(PassLayer.Of))
        {
            var q = Int8Quantizer.QuantizePerChannel(layer.Weights, layer.WeightShape, layer.ChannelAxis);
            var baseName = layer.Name.Replace('/', '_');
            var channels = q.Scales.Length;
            g.AddInitializer(OnnxTensor.FromInt8(baseName + "_wq", q.Dims, q.Values));
            g.AddInitializer(OnnxTensor.FromFloats(baseName + "_ws", [channels], q.Scales));
            g.AddInitializer(OnnxTensor.FromInt8(baseName + "_wz", [channels], new sbyte[channels]));
            var dqw = new OnnxNode("DequantizeLinear", [baseName + "_wq", baseName + "_ws", baseName + "_wz"], [baseName + "_w"], baseName + "_dqw");
            dqw.SetAttribute("axis", layer.ChannelAxis);
            g.InsertNode(0, dqw);
            layer.Node.Inputs[1] = baseName + "_w";
            if (activation(layer) is { } a)
            {
                g.AddInitializer(OnnxTensor.FromFloats(baseName + "_xs", [], [a.Scale]));
                g.AddInitializer(OnnxTensor.FromUInt8(baseName + "_xz", [], [a.ZeroPoint]));
                var at = g.Nodes.ToList().IndexOf(layer.Node);
                g.InsertNode(at, new OnnxNode("DequantizeLinear", [baseName + "_xq", baseName + "_xs", baseName + "_xz"], [baseName + "_x"], baseName + "_dqx"));
                g.InsertNode(at, new OnnxNode("QuantizeLinear", [layer.ActivationName, baseName + "_xs", baseName + "_xz"], [baseName + "_xq"], baseName + "_qx"));
                layer.Node.Inputs[0] = baseName + "_x";
            }
        }

        model.SetOpsetImport(string.Empty, Math.Max(13, model.GetOpsetVersion(string.Empty) ?? 13));
        return model;
    }

    /// <summary>x [batch, k] → MatMul by a [k, n] weight named <c>/fc/MatMul</c> → y.</summary>
    public static OnnxModel SingleMatMul(int k, int n, int seed)
    {
        var rng = new Random(seed);
        var b = new OnnxModelBuilder("single").Opset(17);
        b.Graph.Input("x", TensorDataType.Float, "batch", k);
        var w = b.Graph.Initializer("fc.weight", [k, n], [.. Enumerable.Range(0, k * n).Select(_ => (float)((rng.NextDouble() * 2) - 1))]);
        b.Graph.Node("MatMul", ["x", w], ["y"], "/fc/MatMul");
        b.Graph.Output("y", TensorDataType.Float, "batch", n);
        return b.Build();
    }

    /// <summary>Uniform values in [−limit, limit) from a fixed seed.</summary>
    public static float[] Uniform(int count, double limit, int seed)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => (float)(((rng.NextDouble() * 2) - 1) * limit))];
    }

    /// <summary>ONNX QuantizeLinear then DequantizeLinear to uint8, computed here for reference (round half to even).</summary>
    public static double FakeQuantize(float x, float scale, int zeroPoint) =>
        (Math.Clamp(MathF.Round(x / scale) + zeroPoint, 0, 255) - zeroPoint) * (double)scale;
}
