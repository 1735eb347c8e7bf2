namespace ModelCompress.Onnx.Tests;

public class SparseAndPreservationTests
{
    [Fact]
    public void Sparse_initializers_define_values_and_survive_a_round_trip()
    {
        var proto = ProtoModels.WithInitializer(ProtoModels.Raw("w", TensorDataType.Float, [1], new byte[4]));
        var sparse = new ModelCompress.Onnx.Proto.SparseTensorProto
        {
            Values = ProtoModels.Raw("sp", TensorDataType.Float, [1], new byte[4]),
            Indices = ProtoModels.Raw("sp_idx", TensorDataType.Int64, [1], new byte[8]),
            Dims = { 4 },
        };
        proto.Graph.SparseInitializer.Add(sparse);
        proto.Graph.Node.Add(new ModelCompress.Onnx.Proto.NodeProto { OpType = "Relu", Input = { "sp" }, Output = { "r" } });
        proto.Graph.Output.Add(new ModelCompress.Onnx.Proto.ValueInfoProto { Name = "r" });
        proto.Graph.DocString = "kept";
        proto.DocString = "model doc";
        var bytes = Google.Protobuf.MessageExtensions.ToByteArray(proto);

        var model = OnnxModel.FromBytes(bytes);
        Assert.Equal(["sp"], model.Graph.SparseInitializerNames);
        Assert.True(model.Graph.IsDefinedHere("sp"));
        Assert.Empty(model.Validate());
        Assert.Equal(bytes, model.ToBytes());
        Assert.Equal("kept", model.Graph.DocString);
        Assert.Equal("model doc", model.DocString);
    }

    [Fact]
    public void Unknown_fields_of_newer_IR_versions_are_written_back()
    {
        var proto = ProtoModels.WithInitializer(ProtoModels.Raw("w", TensorDataType.Float, [1], new byte[4]));
        var known = Google.Protobuf.MessageExtensions.ToByteArray(proto);
        // Append field 26 (length-delimited, 3 bytes) to the model: a field this schema does not name.
        byte[] extra = [0xD2, 0x01, 0x03, 0x0A, 0x01, 0x41];
        var bytes = known.Concat(extra).ToArray();
        Assert.Equal(bytes, OnnxModel.FromBytes(bytes).ToBytes());
    }
}
