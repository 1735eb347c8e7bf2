using ModelCompress.Onnx;
using ModelCompress.Passes;
using ModelCompress.Testing;

namespace ModelCompress.Tests.Storage;

/// <summary>The packer on Constant-node weights inside If branches (the Silero-style model): lossless, deterministic.</summary>
public sealed class SparseWeightPackerTests
{
    [Fact]
    public void Half_zero_constant_weights_in_if_branches_are_packed_and_onnx_runtime_gives_the_same_outputs()
    {
        var dense = HalfZero(SileroStyleModel.Build());
        var packed = dense.Clone();
        var again = dense.Clone();

        var result = SparseWeightPacker.Pack(packed);
        SparseWeightPacker.Pack(again);

        Assert.True(result.Tensors >= 4, $"{result.Tensors} tensors packed");
        Assert.Null(result.SkippedBecause);
        Assert.Contains(packed.Graph.AllGraphsRecursive(), g => g.ParentNode is not null && g.Nodes.Any(n => n.OpType == "CumSum"));
        var (denseBytes, packedBytes) = (dense.ToBytes(), packed.ToBytes());
        Assert.Equal(packedBytes, again.ToBytes());
        Assert.True(packedBytes.Length < 0.6 * denseBytes.Length, $"{packedBytes.Length} of {denseBytes.Length} bytes");
        foreach (var rate in new long[] { 16000, 8000 })
        {
            var samples = Enumerable.Range(0, SileroStyleModel.ChunkSamples((int)rate)).Select(i => MathF.Sin(i * 0.05f) * 0.3f).ToArray();
            OrtInput[] inputs =
            [
                OrtInput.Float("input", samples, 1, samples.Length),
                OrtInput.Float("state", new float[2 * SileroStyleModel.Hidden], 2, 1, SileroStyleModel.Hidden),
                OrtInput.Int64("sr", [rate]),
            ];
            Assert.Equal(OrtRun.Run(denseBytes, inputs).Select(o => o.RawBytes), OrtRun.Run(packedBytes, inputs).Select(o => o.RawBytes));
        }
    }

    /// <summary>Every float tensor of 256 entries or more (initializers and Constant nodes, every graph) with its odd entries zeroed.</summary>
    private static OnnxModel HalfZero(OnnxModel model)
    {
        foreach (var graph in model.Graph.AllGraphsRecursive().ToList())
        {
            foreach (var tensor in graph.Initializers.Values.Where(Big).ToList())
            {
                graph.SetInitializer(Zeroed(tensor));
            }

            foreach (var node in graph.Nodes.Where(n => n.OpType == "Constant" && n.GetTensor("value") is { } t && Big(t)))
            {
                node.SetAttribute("value", Zeroed(node.GetTensor("value")!));
            }
        }

        return model;
    }

    private static bool Big(OnnxTensor t) => t.DataType == TensorDataType.Float && t.ElementCount >= 256;

    private static OnnxTensor Zeroed(OnnxTensor t)
    {
        var values = t.ToFloatArray();
        for (var i = 1; i < values.Length; i += 2)
        {
            values[i] = 0;
        }

        return OnnxTensor.FromFloats(t.Name, t.Dims, values);
    }
}
