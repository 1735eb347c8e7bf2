using ModelCompress.Kernels;
using ModelCompress.Onnx;
using ModelCompress.Quantization;

namespace ModelCompress.Tests.Quantization;

/// <summary>Held-back edits (<see cref="QdqGraphWriter.Defer"/>) must leave the very graph that edit-by-edit writing does.</summary>
public sealed class QdqGraphWriterTests
{
    /// <summary>Quantizes every MatMul of the model the way static QDQ does, edit by edit or held back.</summary>
    private static byte[] Write(bool deferred)
    {
        var model = QuantTestModels.SharedInputs();
        var writer = new QdqGraphWriter(model.Graph);
        if (deferred)
        {
            writer.Defer();
        }

        var p = new QuantizationParameters(0.05f, 128);
        var inputs = new Dictionary<string, (string Q, string Scale, string Zp)>(StringComparer.Ordinal);
        foreach (var node in model.Graph.Nodes.Where(n => n.OpType == "MatMul").ToList())
        {
            var weight = model.Graph.Initializers[node.Inputs[1]];
            var n = (int)weight.Dims[1];
            var plan = QuantizedLinear.Weight(weight.ToFloatArray(), weight.Dims, 1, perChannel: true, p);
            if (!inputs.TryGetValue(node.Inputs[0], out var input))
            {
                inputs[node.Inputs[0]] = input = writer.Quantize(node.Inputs[0], p, QuantizedType.UInt8);
            }

            writer.SetInput(node, 0, writer.Dequantize(node.Inputs[0], input.Q, input.Scale, input.Zp));
            writer.SetInput(node, 1, writer.DequantizedWeight(node.Inputs[1], plan));

            // Names that collide with what is already written (and with each other) take suffixes in the same order.
            writer.Constant(OnnxTensor.FromFloats(node.Inputs[1], [n], new float[n]));
            writer.Constant(OnnxTensor.FromFloats(node.Inputs[1], [n], new float[n]));
        }

        writer.Flush();
        QdqQuantizer.Finish(model);
        return model.ToBytes();
    }

    [Fact]
    public void Held_back_edits_give_the_bytes_of_edits_made_one_by_one()
    {
        var direct = Write(deferred: false);
        var deferred = Write(deferred: true);

        Assert.Equal(direct, deferred);
        Assert.Contains(OnnxModel.FromBytes(deferred).Graph.Nodes, n => n.OpType == "DequantizeLinear");
    }

    [Fact]
    public void A_deferring_writer_changes_nothing_before_it_is_flushed()
    {
        var model = QuantTestModels.SharedInputs();
        var before = model.ToBytes();
        var writer = new QdqGraphWriter(model.Graph);
        writer.Defer();
        var node = model.Graph.Nodes.First(n => n.OpType == "MatMul");

        var name = writer.Constant(OnnxTensor.FromFloats("c", [1], [1f]));
        writer.SetInput(node, 1, name);

        Assert.Equal(before, model.ToBytes());
        writer.Flush();
        Assert.Equal(name, node.Inputs[1]);
        Assert.True(model.Graph.Initializers.ContainsKey(name));
    }
}
