using Google.Protobuf;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Onnx.Proto;
using ModelCompress.Testing;

namespace ModelCompress.Onnx.Tests;

/// <summary>Bad files give coded errors, never crashes or allocations sized by what the file claims.</summary>
public class MalformedModelTests
{
    private const long OneGiB = 1L << 30;

    [Fact]
    public void Missing_file_is_MC1001()
    {
        var e = Assert.Throws<ModelCompressException>(() => OnnxModel.Load("/no/such/folder/model.onnx"));
        Assert.Equal("MC1001", e.Code);
        Assert.Contains("model.onnx", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_model_is_MC1002()
    {
        var bytes = File.ReadAllBytes(Fixtures.Require("models/mnist-8.onnx"));
        using var tmp = new TempDirectory();
        foreach (var cut in new[] { 7, 100, bytes.Length / 2, bytes.Length - 3 })
        {
            var path = tmp.File($"cut{cut}.onnx");
            File.WriteAllBytes(path, bytes[..cut]);
            var e = Assert.Throws<ModelCompressException>(() => OnnxModel.Load(path));
            Assert.True(e.Code is "MC1002" or "MC1003", $"cut at {cut}: {e.Code}");
            Assert.Equal(path, e.Diagnostic.File);
        }

        File.WriteAllBytes(tmp.File("half.onnx"), bytes[..(bytes.Length / 2)]);
        Assert.Equal("MC1002", Assert.Throws<ModelCompressException>(() => OnnxModel.Load(tmp.File("half.onnx"))).Code);
    }

    [Theory]
    [InlineData("random")]
    [InlineData("text")]
    [InlineData("zip")]
    [InlineData("empty")]
    public void Garbage_is_MC1002_or_MC1003(string kind)
    {
        byte[] bytes = kind switch
        {
            "random" => RandomBytes(10_000),
            "text" => "ir_version: 8\ngraph { node { op_type: \"Relu\" } }\n"u8.ToArray(),
            "zip" => [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00],
            _ => [],
        };
        var e = Assert.Throws<ModelCompressException>(() => OnnxModel.FromBytes(bytes));
        Assert.True(e.Code is "MC1002" or "MC1003", e.Code);
    }

    [Fact]
    public void A_tensor_or_graph_proto_is_not_a_model()
    {
        var tensor = ProtoModels.Raw("t", TensorDataType.Float, [1], new byte[4]).ToByteArray();
        Assert.True(Assert.Throws<ModelCompressException>(() => OnnxModel.FromBytes(tensor)).Code is "MC1002" or "MC1003");
        var graph = ProtoModels.WithInitializer(ProtoModels.Raw("t", TensorDataType.Float, [1], new byte[4])).Graph.ToByteArray();
        // Their fields clash in wire type with ModelProto's, so protobuf itself may reject them (MC1002).
        Assert.True(Assert.Throws<ModelCompressException>(() => OnnxModel.FromBytes(graph)).Code is "MC1002" or "MC1003");
    }

    [Fact]
    public void Model_without_graph_is_MC1003()
    {
        var bytes = new ModelProto { IrVersion = 8 }.ToByteArray();
        var e = Assert.Throws<ModelCompressException>(() => OnnxModel.FromBytes(bytes));
        Assert.Equal("MC1003", e.Code);
    }

    [Fact]
    public void Hostile_dims_of_2_pow_40_elements_are_MC1005_without_allocating()
    {
        var proto = ProtoModels.WithInitializer(ProtoModels.Raw("w", TensorDataType.Float, [1L << 40], new byte[4]));
        var bytes = proto.ToByteArray();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ModelCompressException>(() => OnnxModel.FromBytes(bytes));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal("MC1005", e.Code);
        Assert.Contains("4398046511104 bytes", e.Message, StringComparison.Ordinal);
        Assert.True(allocated < 16 << 20, $"Allocated {allocated} bytes");
    }

    [Theory]
    [InlineData(new[] { 1L << 40, 1L << 40 })]
    [InlineData(new[] { long.MaxValue, 2L })]
    [InlineData(new[] { -1L })]
    [InlineData(new[] { 3L, -4L })]
    public void Overflowing_or_negative_dims_are_MC1004(long[] dims)
    {
        var bytes = ProtoModels.WithInitializer(ProtoModels.Raw("w", TensorDataType.Float, dims, new byte[4])).ToByteArray();
        var e = Assert.Throws<ModelCompressException>(() => OnnxModel.FromBytes(bytes));
        Assert.Equal("MC1004", e.Code);
    }

    [Fact]
    public void Typed_field_with_the_wrong_count_is_MC1005()
    {
        var t = new TensorProto { Name = "w", DataType = (int)TensorDataType.Float, Dims = { 3 }, FloatData = { 1f, 2f } };
        var e = Assert.Throws<ModelCompressException>(() => ProtoModels.Load(ProtoModels.WithInitializer(t)));
        Assert.Equal("MC1005", e.Code);
    }

    [Fact]
    public void Hostile_dims_in_a_Constant_node_are_caught_too()
    {
        var proto = ProtoModels.WithInitializer(ProtoModels.Raw("w", TensorDataType.Float, [1], new byte[4]));
        proto.Graph.Node.Add(new NodeProto
        {
            OpType = "Constant",
            Output = { "c" },
            Attribute = { new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = ProtoModels.Raw("c", TensorDataType.Float, [1L << 40], new byte[8]) } },
        });
        Assert.Equal("MC1005", Assert.Throws<ModelCompressException>(() => ProtoModels.Load(proto)).Code);
    }

    [Fact]
    public void A_length_prefix_claiming_gigabytes_is_MC1002_without_allocating_them()
    {
        // Field 7 (graph), wire type 2, length 2^31 - 1, followed by only a few bytes.
        byte[] bytes = [0x08, 0x08, 0x3A, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 1, 2, 3];
        var before = GC.GetAllocatedBytesForCurrentThread();
        using var tmp = new TempDirectory();
        File.WriteAllBytes(tmp.File("m.onnx"), bytes);
        Assert.Equal("MC1002", Assert.Throws<ModelCompressException>(() => OnnxModel.Load(tmp.File("m.onnx"))).Code);
        Assert.Equal("MC1002", Assert.Throws<ModelCompressException>(() => OnnxModel.FromBytes(bytes)).Code);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < OneGiB / 64);
    }

    [Fact]
    public void Errors_carry_the_file_and_print_in_msbuild_form()
    {
        using var tmp = new TempDirectory();
        var path = tmp.File("bad.onnx");
        File.WriteAllBytes(path, RandomBytes(64));
        var e = Assert.Throws<ModelCompressException>(() => OnnxModel.Load(path));
        Assert.StartsWith($"{path}: error {e.Code}: ", e.Diagnostic.ToCanonicalString(), StringComparison.Ordinal);
    }

    private static byte[] RandomBytes(int n)
    {
        var rng = new DeterministicRandom(99);
        var b = new byte[n];
        for (var i = 0; i < n; i++)
        {
            b[i] = (byte)rng.NextUInt64();
        }

        return b;
    }
}
